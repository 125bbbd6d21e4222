// Outgoing work: bootstrap, iterative find_node/get_peers lookups, announce_peer, pings.

#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>

#include "discovery/dht/node_impl.hpp"

namespace shoal::dht {
namespace {

namespace asio = boost::asio;
using asio::ip::udp;

constexpr std::size_t k_max_bootstrap_endpoints = 32;
constexpr std::size_t k_max_peers_per_lookup = 10'000;
constexpr std::size_t k_announce_to = 8;

// "host:port" or "[v6]:port".
std::optional<std::pair<std::string, std::string>> split_host_port(const std::string& text) {
    std::string host;
    std::string port;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find("]:");
        if (close == std::string::npos)
            return std::nullopt;
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string::npos)
            return std::nullopt;
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
    }
    if (host.empty() || port.empty() || port.size() > 5 ||
        port.find_first_not_of("0123456789") != std::string::npos)
        return std::nullopt;
    const int number = std::stoi(port);
    if (number < 1 || number > 65535)
        return std::nullopt;
    return std::pair{host, port};
}

}  // namespace

void Node::Impl::bootstrap(std::vector<std::string> host_ports) {
    std::vector<Endpoint> numeric;
    for (const auto& text : host_ports) {
        auto parts = split_host_port(text);
        if (!parts)
            continue;
        boost::system::error_code ec;
        const auto address = asio::ip::make_address(parts->first, ec);
        if (!ec) {
            numeric.emplace_back(address, static_cast<unsigned short>(std::stoi(parts->second)));
            continue;
        }
        auto resolver = std::make_shared<udp::resolver>(executor_);
        resolver->async_resolve(
            parts->first, parts->second,
            [self = shared_from_this(), resolver](boost::system::error_code rec,
                                                  udp::resolver::results_type results) {
                if (rec || !self->running_)
                    return;
                std::vector<Endpoint> found;
                for (const auto& entry : results)
                    found.push_back(entry.endpoint());
                self->bootstrap_from(found);
            });
    }
    if (!numeric.empty())
        bootstrap_from(numeric);
}

void Node::Impl::bootstrap_from(const std::vector<Endpoint>& endpoints) {
    if (!running_)
        return;
    for (const auto& endpoint : endpoints) {
        if (bootstrap_endpoints_.size() < k_max_bootstrap_endpoints &&
            std::find(bootstrap_endpoints_.begin(), bootstrap_endpoints_.end(), endpoint) ==
                bootstrap_endpoints_.end())
            bootstrap_endpoints_.push_back(endpoint);
    }
    last_bootstrap_ = now();
    for (auto* family : families()) {
        std::vector<Endpoint> seeds;
        for (const auto& endpoint : endpoints) {
            if (endpoint.address().is_v6() == family->v6)
                seeds.push_back(endpoint);
        }
        if (seeds.empty() && family->table.size() == 0)
            continue;
        const auto id = start_lookup(*family, id_, Method::find_node, nullptr, seeds);
        if (auto it = lookups_.find(id); it != lookups_.end())
            it->second.refresh_after = true;
    }
}

std::uint64_t Node::Impl::start_lookup(Family& family, const NodeId& target, Method method,
                                       std::shared_ptr<LookupGroup> group,
                                       const std::vector<Endpoint>& seeds) {
    const auto id = next_lookup_id_++;
    LookupLimits limits;
    limits.alpha = std::clamp<std::size_t>(options_.alpha, 1, 16);
    limits.k = options_.routing.bucket_size;
    LookupRun run{Lookup(target, limits), &family, method, std::move(group), false};
    run.lookup.add_candidates(family.table.closest(target, 2 * limits.k));
    for (const auto& seed : seeds)
        run.lookup.add_seed(seed);
    family.table.touch(target, now());
    lookups_.emplace(id, std::move(run));
    // Deferred, so that a caller's bookkeeping (refresh_after) is in place before any result.
    asio::post(executor_, [self = shared_from_this(), id] { self->step(id); });
    return id;
}

void Node::Impl::step(std::uint64_t lookup_id) {
    auto it = lookups_.find(lookup_id);
    if (it == lookups_.end() || !running_)
        return;
    LookupRun& run = it->second;
    for (;;) {
        const auto targets = run.lookup.next_queries();
        if (targets.empty())
            break;
        for (const auto& to : targets) {
            Query query;
            query.method = run.method;
            if (run.method == Method::find_node)
                query.target = run.lookup.target();
            else
                query.info_hash.bytes = run.lookup.target().bytes;
            const bool sent = send_query(
                *run.family, to, std::move(query),
                [this, lookup_id, to](const Message* reply) {
                    on_lookup_reply(lookup_id, to, reply);
                },
                [this, lookup_id, to] {
                    if (auto it = lookups_.find(lookup_id); it != lookups_.end()) {
                        it->second.lookup.on_slow(to);
                        step(lookup_id);
                    }
                });
            if (!sent)
                run.lookup.on_failure(to);
            else if (run.group)
                ++run.group->summary.queries;
        }
    }
    if (run.lookup.done())
        finish_lookup(lookup_id);
}

void Node::Impl::on_lookup_reply(std::uint64_t lookup_id, const Endpoint& from,
                                 const Message* reply) {
    auto it = lookups_.find(lookup_id);
    if (it == lookups_.end())
        return;
    LookupRun& run = it->second;
    const Response* response = reply ? std::get_if<Response>(&reply->body) : nullptr;
    if (!response) {
        run.lookup.on_failure(from);
        step(lookup_id);
        return;
    }
    run.lookup.on_reply(from, response->id, response->token);
    std::vector<NodeEntry> usable;
    for (const auto& node : run.family->v6 ? response->nodes6 : response->nodes) {
        // Never ask ourselves: another node may still list our address under an old id.
        if (node.id != id_ && node.endpoint.port() != 0 &&
            !node.endpoint.address().is_unspecified() && node.endpoint != run.family->local)
            usable.push_back(node);
    }
    run.lookup.add_candidates(usable);
    if (auto& group = run.group) {
        ++group->summary.replies;
        std::vector<Endpoint> fresh;
        for (const auto& peer : response->values) {
            if (peer.port() != 0 && group->peers_seen.size() < k_max_peers_per_lookup &&
                group->peers_seen.insert(peer).second)
                fresh.push_back(peer);
        }
        if (!fresh.empty() && group->on_peers) {
            group->summary.peers += fresh.size();
            deliver([callback = group->on_peers, fresh = std::move(fresh)] { callback(fresh); });
        } else {
            group->summary.peers += fresh.size();
        }
    }
    step(lookup_id);
}

void Node::Impl::finish_lookup(std::uint64_t lookup_id) {
    auto handle = lookups_.extract(lookup_id);
    if (handle.empty())
        return;
    LookupRun& run = handle.mapped();
    if (run.refresh_after) {
        // After joining, fill the farther buckets too: a lookup for our own id only meets
        // the nodes near us.
        const auto buckets = run.family->table.bucket_count();
        for (std::size_t i = 0; i + 1 < buckets; ++i)
            start_lookup(*run.family, random_id_in_bucket(id_, static_cast<int>(i), rng_),
                         Method::find_node, nullptr, {});
    }
    auto group = run.group;
    if (!group)
        return;
    if (group->announce_port)
        send_announces(*run.family, run, group);
    if (--group->remaining == 0 && group->announces_outstanding == 0)
        finish_group(group);
}

void Node::Impl::send_announces(Family& family, LookupRun& run,
                                const std::shared_ptr<LookupGroup>& group) {
    for (const auto& result : run.lookup.closest_replied(k_announce_to)) {
        if (result.token.empty())
            continue;
        Query query;
        query.method = Method::announce_peer;
        query.info_hash.bytes = run.lookup.target().bytes;
        query.port = *group->announce_port;
        query.implied_port = group->implied_port;
        query.token = result.token;
        const bool sent = send_query(
            family, result.node.endpoint, std::move(query), [this, group](const Message* reply) {
                if (reply && reply->is_response()) {
                    ++group->summary.announced_to;
                    ++group->summary.replies;
                }
                if (--group->announces_outstanding == 0 && group->remaining == 0)
                    finish_group(group);
            });
        if (sent) {
            ++group->summary.queries;
            ++group->announces_outstanding;
        }
    }
}

void Node::Impl::group_lookup(const SwarmHash& hash, std::shared_ptr<LookupGroup> group) {
    group->started = now();
    const auto all = families();
    group->remaining = all.size();
    if (all.empty() || !running_) {
        finish_group(group);
        return;
    }
    for (auto* family : all)
        start_lookup(*family, as_node_id(hash), Method::get_peers, group, {});
}

void Node::Impl::finish_group(const std::shared_ptr<LookupGroup>& group) {
    group->summary.elapsed =
        std::chrono::duration_cast<std::chrono::microseconds>(now() - group->started);
    if (group->on_done)
        deliver([callback = std::move(group->on_done), summary = group->summary] {
            callback(summary);
        });
    group->on_done = nullptr;
}

void Node::Impl::ping(Family& family, const Endpoint& to) {
    Query query;
    query.method = Method::ping;
    send_query(family, to, std::move(query), nullptr);
}

}  // namespace shoal::dht
