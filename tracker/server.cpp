#include "tracker/server.hpp"

#include <cctype>
#include <chrono>
#include <csignal>
#include <ctime>
#include <fstream>
#include <random>
#include <thread>
#include <type_traits>
#include <vector>

#include "tracker/access_list.hpp"
#include "tracker/address.hpp"
#include "tracker/announce_service.hpp"
#include "tracker/connection_id.hpp"
#include "tracker/http_frontend.hpp"
#include "tracker/http_router.hpp"
#include "tracker/log.hpp"
#include "tracker/metrics.hpp"
#include "tracker/net.hpp"
#include "tracker/redis_store.hpp"
#include "tracker/redis_url.hpp"
#include "tracker/signal_reader.hpp"
#include "tracker/snapshot.hpp"
#include "tracker/store_health.hpp"
#include "tracker/swarm_store.hpp"
#include "tracker/udp_frontend.hpp"
#include "tracker/udp_handler.hpp"

namespace shoal::tracker {

namespace {

// Whole seconds are all the tracker needs, and the coarse clocks (the last tick) are read on
// every request at a fraction of the cost of the precise ones.
std::uint32_t seconds_of(clockid_t clock) {
    timespec t{};
    ::clock_gettime(clock, &t);
    return static_cast<std::uint32_t>(t.tv_sec);
}

// Connection ids are timed by the wall clock, which instances on different machines share.
std::uint32_t wall_seconds() {
    return seconds_of(CLOCK_REALTIME_COARSE);
}

}  // namespace

std::uint32_t monotonic_seconds() {
    return seconds_of(CLOCK_MONOTONIC_COARSE);
}

namespace {

AccessMode access_mode(const std::string& mode) {
    if (mode == "allow")
        return AccessMode::allow;
    if (mode == "deny")
        return AccessMode::deny;
    return AccessMode::off;
}

// The shared secret for connection ids: the file's bytes, trailing white space left out.
Result<std::string> read_secret(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return make_error("cannot read udp.secret_file " + path);
    std::string secret(4096 + 1, '\0');
    in.read(secret.data(), static_cast<std::streamsize>(secret.size()));
    secret.resize(static_cast<std::size_t>(in.gcount()));
    if (secret.size() > 4096)
        return make_error("udp.secret_file " + path + " is longer than 4096 bytes");
    while (!secret.empty() && std::isspace(static_cast<unsigned char>(secret.back())))
        secret.pop_back();
    if (secret.size() < 16)
        return make_error("udp.secret_file " + path + " holds fewer than 16 bytes of secret");
    return secret;
}

Result<AccessPolicy> load_policy(const Config& c) {
    return AccessPolicy::load(access_mode(c.mode), c.list_file, c.private_mode, c.keys_file);
}

std::string format_endpoint(const asio::ip::address& a, std::uint16_t port) {
    std::string out;
    if (a.is_v6())
        out += '[';
    out += a.to_string();
    if (a.is_v6())
        out += ']';
    out += ':';
    out += std::to_string(port);
    return out;
}

// All a thread needs; nothing in it is shared except through the references.
struct Worker {
    asio::io_context ioc{1};
    std::unique_ptr<RedisStore> redis;  // with a shared store: this thread's connection
    AnnounceService service;
    HttpRouter router;
    ConnectionIds ids;
    UdpHandler udp_handler;
    std::optional<HttpFrontend> http;
    std::optional<UdpFrontend> udp;
    std::thread thread;

    Worker(const Config& config, SwarmStore& store, StoreHealth* health, std::size_t index,
           const SharedSnapshot<AccessPolicy>& access, Metrics& metrics,
           const ConnectionKeyRing& keys, std::vector<IpAddress> proxies, std::uint64_t seed)
        : redis(make_redis(config, health, index)),
          service(config, SwarmStores{redis ? nullptr : &store, redis.get(), health}, access,
                  metrics, seed),
          router(service, std::move(proxies), monotonic_seconds),
          ids(keys),
          udp_handler(service, ids, monotonic_seconds, wall_seconds) {}

    std::unique_ptr<RedisStore> make_redis(const Config& config, StoreHealth* health,
                                           std::size_t index) {
        if (health == nullptr)
            return nullptr;
        auto url = parse_redis_url(config.url);  // checked by validate_config
        if (!url)
            throw std::invalid_argument(url.error().message);
        RedisOptions options;
        options.url = std::move(*url);
        options.max_pending = config.max_pending;
        options.timeout = std::chrono::milliseconds(config.timeout_ms);
        options.pending_gauge = &health->pending_gauge();
        return std::make_unique<RedisStore>(
            ioc.get_executor(), std::move(options), config.prefix, config.peer_timeout,
            [health, index](bool up, const std::string& reason) {
                health->report(index, up, reason);
            });
    }
};

std::string bind_error(std::string_view what, const asio::ip::address& address, std::uint16_t port,
                       const boost::system::error_code& ec) {
    std::string message = "cannot listen on ";
    message += what;
    message += ' ';
    message += format_endpoint(address, port);
    message += ": ";
    message += ec.message();
    return message;
}

template <class Socket, class Endpoint>
std::optional<Error> open_and_bind(Socket& s, const Endpoint& endpoint, std::string_view what,
                                   bool share) {
    boost::system::error_code ec;
    s.open(endpoint.protocol(), ec);
    // TIME_WAIT leftovers must not block a restart; UDP must not share a port by accident.
    if (!ec && std::is_same_v<Socket, tcp::acceptor>) {
        s.set_option(asio::socket_base::reuse_address(true), ec);
    }
    if (!ec && share)
        s.set_option(ReusePort(true), ec);
    if (!ec)
        s.bind(endpoint, ec);
    if (ec)
        return make_error(bind_error(what, endpoint.address(), endpoint.port(), ec));
    return std::nullopt;
}

// SO_REUSEPORT would let a second tracker silently share a fixed port with a running one;
// a plain bind first tells the user the port is taken.
template <class Socket, class Endpoint>
std::optional<Error> check_port_free(asio::io_context& ioc, const Endpoint& endpoint,
                                     std::string_view what) {
    if (endpoint.port() == 0)
        return std::nullopt;
    Socket probe(ioc);
    return open_and_bind(probe, endpoint, what, false);
}

}  // namespace

struct Server::Impl {
    Config config;
    Metrics metrics;
    SwarmStore store;
    std::optional<StoreHealth> store_health;  // with a shared store
    std::string secret;                       // shared connection-id secret, or empty
    SharedSnapshot<AccessPolicy> access;
    ConnectionKeyRing keys;
    std::vector<std::unique_ptr<Worker>> workers;
    std::optional<tcp::endpoint> http_endpoint;
    std::optional<udp::endpoint> udp_endpoint;
    asio::io_context control{1};
    // Made before any worker thread, which so inherits the signals blocked.
    SignalReader signals{control};
    asio::steady_timer tick{control};
    std::uint32_t last_rotation = 0;

    Impl(const Config& c, AccessPolicy policy, std::uint64_t hash_seed)
        : config(c),
          store(StoreOptions{c.shards, c.peer_timeout, hash_seed}),
          access(std::make_shared<const AccessPolicy>(std::move(policy))) {}

    void wait_signal();
    void schedule_tick();
    void set_shared_keys() {
        const std::uint64_t period = wall_seconds() / config.key_rotation;
        keys.set(derive_connection_key(secret, period), derive_connection_key(secret, period - 1),
                 derive_connection_key(secret, period + 1));
    }
    void reload();
    void shutdown();
};

void Server::Impl::reload() {
    auto policy = load_policy(config);
    if (!policy) {
        log_event(LogLevel::error, "reload_failed",
                  {{"error", policy.error().message}, {"kept", "previous lists"}});
        return;
    }
    log_event(LogLevel::info, "reloaded",
              {{"info_hashes", std::to_string(policy->info_hash_count())},
               {"passkeys", std::to_string(policy->passkey_count())}});
    access.publish(std::make_shared<const AccessPolicy>(std::move(*policy)));
}

void Server::Impl::wait_signal() {
    signals.async_wait([this](const boost::system::error_code& ec, int signo) {
        if (ec)
            return;
        if (signo == SIGHUP) {
            reload();
            wait_signal();
            return;
        }
        log_event(LogLevel::info, "stopping", {{"signal", signo == SIGINT ? "SIGINT" : "SIGTERM"}});
        shutdown();
    });
}

void Server::Impl::schedule_tick() {
    tick.expires_after(std::chrono::seconds(1));
    tick.async_wait([this](const boost::system::error_code& ec) {
        if (ec)
            return;
        const std::uint32_t now = monotonic_seconds();
        // Bounded work per tick: each call sweeps about a thirtieth of every shard.
        store.expire_step(now, 30);
        if (!secret.empty()) {
            set_shared_keys();
        } else if (now - last_rotation >= config.key_rotation) {
            keys.rotate();
            last_rotation = now;
        }
        schedule_tick();
    });
}

void Server::Impl::shutdown() {
    for (auto& w : workers) {
        asio::post(w->ioc, [&w = *w] {
            if (w.redis)
                w.redis->stop();
            if (w.http)
                w.http->stop();
            if (w.udp)
                w.udp->stop();
            w.ioc.stop();
        });
    }
    signals.cancel();
    tick.cancel();
    control.stop();
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() {
    if (!impl_)
        return;
    for (auto& w : impl_->workers) {
        w->ioc.stop();
        if (w->thread.joinable())
            w->thread.join();
    }
}

Result<std::unique_ptr<Server>> Server::create(const Config& config) {
    // What the config asks for and cannot be had (a file it names, an address, a URL) is the
    // config's error; a listener that cannot be opened is not.
    auto config_error = [](Error e) {
        e.code = ErrorCode::invalid_input;
        return e;
    };
    auto policy = load_policy(config);
    if (!policy)
        return config_error(policy.error());
    std::random_device rd;
    const std::uint64_t hash_seed = (std::uint64_t{rd()} << 32) | rd();
    auto impl = std::make_unique<Impl>(config, std::move(*policy), hash_seed);
    impl->last_rotation = monotonic_seconds();
    if (!config.secret_file.empty()) {
        auto secret = read_secret(config.secret_file);
        if (!secret)
            return config_error(secret.error());
        impl->secret = std::move(*secret);
        impl->set_shared_keys();
    }

    std::vector<IpAddress> proxies;
    for (const auto& p : config.trusted_proxies) {
        if (auto a = parse_ip(p))
            proxies.push_back(*a);
    }
    std::size_t threads = config.threads;
    if (threads == 0)
        threads = std::max(1u, std::thread::hardware_concurrency());

    std::optional<tcp::endpoint> http_ep;
    std::optional<udp::endpoint> udp_ep;
    if (!is_disabled(config.http)) {
        auto la = parse_listen_address(config.http);
        if (!la)
            return config_error(make_error("bad http listen address '" + config.http + "'"));
        http_ep = tcp::endpoint(asio::ip::make_address(la->host), la->port);
    }
    if (!is_disabled(config.udp)) {
        auto la = parse_listen_address(config.udp);
        if (!la)
            return config_error(make_error("bad udp listen address '" + config.udp + "'"));
        udp_ep = udp::endpoint(asio::ip::make_address(la->host), la->port);
    }
    if (!http_ep && !udp_ep)
        return config_error(make_error("both listeners are off; nothing to serve"));
    {
        asio::io_context probe_ioc;
        if (http_ep) {
            if (auto err = check_port_free<tcp::acceptor>(probe_ioc, *http_ep, "http")) {
                return *err;
            }
        }
        if (udp_ep) {
            if (auto err = check_port_free<udp::socket>(probe_ioc, *udp_ep, "udp"))
                return *err;
        }
    }

    if (!config.url.empty()) {
        auto url = parse_redis_url(config.url);
        if (!url)
            return config_error(url.error());
        impl->store_health.emplace(threads, url->redacted(config.url));
    }
    for (std::size_t i = 0; i < threads; ++i) {
        StoreHealth* health = impl->store_health ? &*impl->store_health : nullptr;
        auto w = std::make_unique<Worker>(impl->config, impl->store, health, i, impl->access,
                                          impl->metrics, impl->keys, proxies,
                                          (std::uint64_t{rd()} << 32) | rd());
        if (http_ep) {
            tcp::acceptor acceptor(w->ioc);
            if (auto err = open_and_bind(acceptor, *http_ep, "http", true))
                return *err;
            boost::system::error_code ec;
            acceptor.listen(asio::socket_base::max_listen_connections, ec);
            if (ec)
                return make_error("cannot listen on http: " + ec.message());
            // Port 0 picks a port once; the other threads join the same one.
            if (http_ep->port() == 0)
                http_ep = acceptor.local_endpoint();
            w->http.emplace(std::move(acceptor), w->router, impl->metrics, impl->config);
        }
        if (udp_ep) {
            udp::socket socket(w->ioc);
            if (auto err = open_and_bind(socket, *udp_ep, "udp", true))
                return *err;
            // Room for bursts; the kernel caps it at net.core.rmem_max.
            boost::system::error_code ignored;
            socket.set_option(asio::socket_base::receive_buffer_size(4 << 20), ignored);
            if (udp_ep->port() == 0)
                udp_ep = socket.local_endpoint();
            w->udp.emplace(std::move(socket), w->udp_handler, impl->metrics);
        }
        impl->workers.push_back(std::move(w));
    }
    impl->http_endpoint = http_ep;
    impl->udp_endpoint = udp_ep;
    return std::unique_ptr<Server>(new Server(std::move(impl)));
}

std::string Server::http_address() const {
    if (!impl_->http_endpoint)
        return {};
    return format_endpoint(impl_->http_endpoint->address(), impl_->http_endpoint->port());
}

std::string Server::udp_address() const {
    if (!impl_->udp_endpoint)
        return {};
    return format_endpoint(impl_->udp_endpoint->address(), impl_->udp_endpoint->port());
}

int Server::run() {
    Impl& s = *impl_;
    auto start_frontends = [](Worker& w) {
        if (w.http)
            w.http->start();
        if (w.udp)
            w.udp->start();
    };
    for (auto& w : s.workers) {
        // With a shared store, the threads first connect to it (below); otherwise they serve
        // at once.
        if (w->redis)
            w->redis->start();
        else
            start_frontends(*w);
        w->thread = std::thread([&ioc = w->ioc] {
            // A handler that throws is a bug; log it and keep serving everyone else.
            for (;;) {
                try {
                    ioc.run();
                    return;
                } catch (const std::exception& e) {
                    log_event(LogLevel::error, "internal_error", {{"what", e.what()}});
                }
            }
        });
    }
    if (s.store_health) {
        // Requests that arrive meanwhile wait in the sockets' queues rather than being refused
        // while the connections are being made; a store that refuses or stays away does not
        // hold the tracker back for longer than its first attempt.
        s.store_health->wait_settled(std::chrono::milliseconds(s.config.timeout_ms));
        for (auto& w : s.workers)
            asio::post(w->ioc, [&w = *w, start_frontends] { start_frontends(w); });
    }
    s.wait_signal();
    s.schedule_tick();
    log_event(LogLevel::info, "started",
              {{"http", http_address().empty() ? "off" : http_address()},
               {"udp", udp_address().empty() ? "off" : udp_address()},
               {"threads", std::to_string(s.workers.size())},
               {"store", s.store_health ? "redis" : "memory"}});
    s.control.run();
    for (auto& w : s.workers) {
        if (w->thread.joinable())
            w->thread.join();
    }
    log_event(LogLevel::info, "stopped");
    return 0;
}

void Server::stop() {
    asio::post(impl_->control, [this] { impl_->shutdown(); });
}

}  // namespace shoal::tracker
