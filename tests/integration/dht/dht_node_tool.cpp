// Test-only driver: runs one Shoal DHT node (plus, optionally, a swarm of helper nodes in the
// same process) from the command line and reports what it finds as JSON lines on stdout.
// Used by the interop tests and the benchmark; never built into the application.

#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/json.hpp>

#include "discovery/dht/node.hpp"

namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace shoal;
using namespace shoal::dht;

void emit(json::object object) {
    std::cout << json::serialize(object) << std::endl;
}

std::optional<Endpoint> parse_endpoint(const std::string& text) {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos)
        return std::nullopt;
    boost::system::error_code ec;
    auto address = asio::ip::make_address(text.substr(0, colon), ec);
    if (ec)
        return std::nullopt;
    return Endpoint(address, static_cast<unsigned short>(std::stoi(text.substr(colon + 1))));
}

json::object stats_json(const Node& node) {
    const auto s = node.stats();
    return {{"sent", s.packets_sent},
            {"received", s.packets_received},
            {"queries_received", s.queries_received},
            {"responses_received", s.responses_received},
            {"errors_received", s.errors_received},
            {"errors_sent", s.errors_sent},
            {"timeouts", s.timeouts},
            {"dropped_malformed", s.dropped_malformed},
            {"dropped_oversized", s.dropped_oversized},
            {"dropped_rate_limited", s.dropped_rate_limited},
            {"dropped_unexpected", s.dropped_unexpected},
            {"nodes", node.node_count()}};
}

struct Announce {
    SwarmHash hash;
    std::uint16_t port = 0;
};

}  // namespace

int main(int argc, char** argv) {
    CLI::App app("Shoal DHT test node");
    std::string bind = "127.0.0.1:6881";
    std::vector<std::string> bootstrap;
    std::vector<std::string> announce_args;
    std::vector<std::string> lookup_args;
    double duration = 30;
    double settle = 2;
    double interval = 3;
    bool until_found = false;
    bool read_only = false;
    std::size_t alpha = 3;
    std::size_t swarm = 0;
    std::string swarm_base = "127.0.1.1";
    std::size_t max_queries_per_source = 20;
    app.add_option("--bind", bind, "address:port of the main node");
    app.add_option("--bootstrap", bootstrap, "host:port to join through (repeatable)");
    app.add_option("--announce", announce_args, "HEX_INFO_HASH:PORT to announce (repeatable)");
    app.add_option("--lookup", lookup_args, "HEX_INFO_HASH to look up (repeatable)");
    app.add_option("--duration", duration, "seconds before exiting");
    app.add_option("--settle", settle, "seconds between bootstrap and the first announce/lookup");
    app.add_option("--interval", interval, "seconds between repeated announces and lookups");
    app.add_flag("--until-found", until_found, "exit once every lookup found a peer");
    app.add_flag("--read-only", read_only, "BEP 43 read-only mode");
    app.add_option("--alpha", alpha, "lookup queries in flight");
    app.add_option("--swarm", swarm, "helper nodes to run in this process");
    app.add_option("--swarm-base", swarm_base, "first helper address; each next one is +1");
    app.add_option("--max-queries-per-source", max_queries_per_source,
                   "queries per second accepted from one address");
    CLI11_PARSE(app, argc, argv);

    auto bind_endpoint = parse_endpoint(bind);
    if (!bind_endpoint) {
        std::cerr << "bad --bind " << bind << "\n";
        return 2;
    }
    std::vector<Announce> announces;
    for (const auto& text : announce_args) {
        const auto colon = text.find(':');
        auto hash = SwarmHash::from_hex(text.substr(0, colon));
        if (!hash || colon == std::string::npos) {
            std::cerr << "bad --announce " << text << "\n";
            return 2;
        }
        announces.push_back({*hash, static_cast<std::uint16_t>(std::stoi(text.substr(colon + 1)))});
    }
    std::vector<SwarmHash> lookups;
    for (const auto& text : lookup_args) {
        auto hash = SwarmHash::from_hex(text);
        if (!hash) {
            std::cerr << "bad --lookup " << text << "\n";
            return 2;
        }
        lookups.push_back(*hash);
    }

    asio::io_context io;
    NodeOptions options;
    options.bind_v4 = *bind_endpoint;
    options.read_only = read_only;
    options.alpha = alpha;
    options.max_queries_per_source_per_second = max_queries_per_source;
    Node node(io.get_executor(), options);
    auto started = node.start();
    if (!started) {
        std::cerr << started.error().message << "\n";
        return 1;
    }
    emit({{"event", "started"}, {"endpoint", to_string(*started)}, {"id", node.id().hex()}});

    // Helper nodes: they join through the main node (or the given bootstrap nodes).
    std::vector<std::unique_ptr<Node>> helpers;
    auto base = asio::ip::make_address_v4(swarm_base).to_uint();
    for (std::size_t i = 0; i < swarm; ++i) {
        NodeOptions helper_options;
        helper_options.bind_v4 = Endpoint(
            asio::ip::address_v4(base + static_cast<std::uint32_t>(i)), bind_endpoint->port());
        helper_options.max_queries_per_source_per_second = max_queries_per_source;
        auto helper = std::make_unique<Node>(io.get_executor(), helper_options);
        auto ok = helper->start();
        if (!ok) {
            std::cerr << ok.error().message << "\n";
            return 1;
        }
        helper->bootstrap(bootstrap.empty() ? std::vector<std::string>{to_string(*started)}
                                            : bootstrap);
        helpers.push_back(std::move(helper));
    }
    node.bootstrap(bootstrap);

    std::map<SwarmHash, bool> found;
    for (const auto& hash : lookups)
        found[hash] = false;
    int exit_code = 0;
    bool finished = false;
    asio::steady_timer end_timer(io);
    asio::steady_timer round_timer(io);
    asio::signal_set signals(io, SIGINT, SIGTERM);
    auto finish = [&](int code) {
        if (finished)
            return;
        finished = true;
        exit_code = code;
        json::object done{{"event", "stats"}};
        done["stats"] = stats_json(node);
        emit(std::move(done));
        node.stop();
        for (auto& h : helpers)
            h->stop();
        end_timer.cancel();
        round_timer.cancel();
        signals.cancel();
    };
    signals.async_wait([&](boost::system::error_code ec, int) {
        if (!ec)
            finish(0);
    });

    std::function<void()> round = [&] {
        emit({{"event", "round"}, {"nodes", node.node_count()}});
        for (const auto& a : announces) {
            node.announce(a.hash, a.port, false, [hash = a.hash](const LookupSummary& s) {
                emit({{"event", "announced"},
                      {"hash", hash.hex()},
                      {"acks", s.announced_to},
                      {"queries", s.queries},
                      {"us", s.elapsed.count()}});
            });
        }
        for (const auto& hash : lookups) {
            node.get_peers(
                hash,
                [hash](const std::vector<Endpoint>& peers) {
                    json::array list;
                    for (const auto& p : peers)
                        list.emplace_back(to_string(p));
                    emit({{"event", "peers"}, {"hash", hash.hex()}, {"peers", std::move(list)}});
                },
                [&, hash](const LookupSummary& s) {
                    emit({{"event", "lookup_done"},
                          {"hash", hash.hex()},
                          {"queries", s.queries},
                          {"replies", s.replies},
                          {"peers", s.peers},
                          {"us", s.elapsed.count()}});
                    if (s.peers > 0)
                        found[hash] = true;
                    if (until_found &&
                        std::all_of(found.begin(), found.end(), [](auto& f) { return f.second; }))
                        finish(0);
                });
        }
        round_timer.expires_after(std::chrono::milliseconds(static_cast<int>(interval * 1000)));
        round_timer.async_wait([&](boost::system::error_code ec) {
            if (!ec && !finished)
                round();
        });
    };
    round_timer.expires_after(std::chrono::milliseconds(static_cast<int>(settle * 1000)));
    round_timer.async_wait([&](boost::system::error_code ec) {
        if (!ec && !finished)
            round();
    });
    end_timer.expires_after(std::chrono::milliseconds(static_cast<int>(duration * 1000)));
    end_timer.async_wait([&](boost::system::error_code ec) {
        if (!ec)
            finish(until_found ? 1 : 0);
    });
    io.run();
    return exit_code;
}
