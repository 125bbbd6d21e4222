#include "tracker/http_router.hpp"

#include <boost/asio/use_awaitable.hpp>

#include <memory>

#include "tracker/address.hpp"
#include "tracker/http_query.hpp"
#include "tracker/http_reply.hpp"

namespace shoal::tracker {

ParsedTarget parse_target(std::string_view target) {
    ParsedTarget t;
    const auto q = target.find('?');
    std::string_view path = target.substr(0, q);
    if (q != std::string_view::npos)
        t.query = target.substr(q + 1);
    if (path == "/metrics") {
        t.route = Route::metrics;
        return t;
    }
    if (path == "/stats") {
        t.route = Route::stats;
        return t;
    }
    // "/announce" or "/KEY/announce"; the key is one path segment.
    if (path.size() < 2 || path.front() != '/')
        return t;
    path.remove_prefix(1);
    const auto slash = path.find('/');
    std::string_view action = path;
    if (slash != std::string_view::npos) {
        t.passkey = path.substr(0, slash);
        action = path.substr(slash + 1);
        if (t.passkey.empty())
            return t;
    }
    if (action == "announce")
        t.route = Route::announce;
    else if (action == "scrape")
        t.route = Route::scrape;
    return t;
}

HttpRouter::HttpRouter(AnnounceService& service, std::vector<IpAddress> trusted_proxies,
                       Clock clock)
    : service_(service),
      trusted_proxies_(std::move(trusted_proxies)),
      clock_(std::move(clock)),
      started_(clock_()) {}

HttpReply HttpRouter::refuse(const Refusal& refusal) {
    service_.metrics().error(refusal.kind);
    return HttpReply{200, "text/plain", bencode_failure(refusal.message, refusal.retry_in_minutes)};
}

HttpReply HttpRouter::status_page(Route route) {
    if (service_.config().metrics) {
        const SwarmStore* memory = service_.memory_store();
        std::optional<StoreTotals> totals;
        if (memory != nullptr)
            totals = memory->totals();
        const StoreTotals* t = totals ? &*totals : nullptr;
        if (route == Route::metrics) {
            return {200, "text/plain; version=0.0.4",
                    service_.metrics().prometheus(t, service_.store_health())};
        }
        return {200, "application/json",
                service_.metrics().json(t, service_.store_health(), clock_() - started_)};
    }
    service_.metrics().error(ErrorKind::not_found);
    return {404, "text/plain", "not found\n"};
}

HttpReply HttpRouter::handle(const HttpRequestView& request) {
    const ParsedTarget target = parse_target(request.target);
    switch (target.route) {
        case Route::announce:
            return announce(target, client_address(request.peer, request.x_real_ip,
                                                   request.x_forwarded_for, trusted_proxies_));
        case Route::scrape:
            return scrape(target);
        case Route::metrics:
        case Route::stats:
            return status_page(target.route);
        case Route::not_found:
            break;
    }
    service_.metrics().error(ErrorKind::not_found);
    return {404, "text/plain", "not found\n"};
}

// Awaits the service's callback form; the callback always comes after the call returns.
template <class Signature, class Start>
auto await_service(Start start) {
    return asio::async_initiate<decltype(asio::use_awaitable), Signature>(
        [start = std::move(start)](auto handler) mutable {
            auto shared = std::make_shared<decltype(handler)>(std::move(handler));
            start([shared](auto... results) { std::move(*shared)(std::move(results)...); });
        },
        asio::use_awaitable);
}

asio::awaitable<HttpReply> HttpRouter::handle_later(const HttpRequestView& request) {
    const ParsedTarget target = parse_target(request.target);
    if (target.route == Route::announce) {
        Announce r;
        bool compact = false, no_peer_id = false;
        const IpAddress client = client_address(request.peer, request.x_real_ip,
                                                request.x_forwarded_for, trusted_proxies_);
        if (auto bad = parse_announce(target, client, r, compact, no_peer_id))
            co_return std::move(*bad);
        auto [outcome, peers] =
            co_await await_service<void(AnnounceOutcome, std::vector<PeerInfo>)>(
                [this, &r](auto done) { service_.announce_later(r, clock_(), std::move(done)); });
        co_return announced(outcome, peers, compact, no_peer_id || service_.answers_later());
    }
    if (target.route == Route::scrape) {
        auto hashes = parse_scrape_query(target.query, service_.config().max_scrape_hashes);
        if (!hashes)
            co_return refuse({ErrorKind::bad_request, hashes.error().message});
        if (hashes->empty())
            co_return full_scrape(target);
        auto [refusal, results] =
            co_await await_service<void(std::optional<Refusal>, std::vector<ScrapeResult>)>(
                [this, &hashes, &target](auto done) {
                    service_.scrape_later(*hashes, target.passkey, std::move(done));
                });
        co_return scraped(refusal, results);
    }
    co_return handle(request);
}

std::optional<HttpReply> HttpRouter::parse_announce(const ParsedTarget& target,
                                                    const IpAddress& client, Announce& r,
                                                    bool& compact, bool& no_peer_id) {
    auto query = parse_announce_query(target.query);
    if (!query)
        return refuse({ErrorKind::bad_request, query.error().message});
    r.info_hash = query->info_hash;
    r.peer_id = query->peer_id;
    r.endpoint.address = client;
    if (service_.config().accept_ip_param && !query->ip.empty()) {
        if (auto ip = parse_ip(query->ip))
            r.endpoint.address = *ip;
    }
    r.endpoint.port = query->port;
    r.event = query->event;
    r.seeding = query->left.has_value() && *query->left == 0;
    r.numwant = query->numwant;
    r.passkey = target.passkey;
    r.with_peer_ids = !query->compact && !query->no_peer_id;
    compact = query->compact;
    no_peer_id = query->no_peer_id;
    return std::nullopt;
}

HttpReply HttpRouter::announced(const AnnounceOutcome& outcome, const std::vector<PeerInfo>& peers,
                                bool compact, bool no_peer_id) {
    if (outcome.refusal)
        return refuse(*outcome.refusal);
    service_.metrics().announce(Protocol::http);
    return {200, "text/plain", bencode_announce(outcome, peers, compact, no_peer_id)};
}

HttpReply HttpRouter::announce(const ParsedTarget& target, const IpAddress& client) {
    Announce r;
    bool compact = false, no_peer_id = false;
    if (auto bad = parse_announce(target, client, r, compact, no_peer_id))
        return std::move(*bad);
    const AnnounceOutcome outcome = service_.announce(r, clock_(), peers_);
    return announced(outcome, peers_, compact, no_peer_id);
}

HttpReply HttpRouter::scraped(const std::optional<Refusal>& refusal,
                              const std::vector<ScrapeResult>& results) {
    if (refusal)
        return refuse(*refusal);
    service_.metrics().scrape(Protocol::http);
    return {200, "text/plain", bencode_scrape(results)};
}

HttpReply HttpRouter::full_scrape(const ParsedTarget& target) {
    const SwarmStore* memory = service_.memory_store();
    if (!service_.config().full_scrape || memory == nullptr)
        return refuse({ErrorKind::bad_request, "scrape needs at least one info_hash"});
    if (!service_.access().passkey_allowed(target.passkey))
        return refuse({ErrorKind::bad_passkey, "unknown passkey"});
    scrape_.clear();
    memory->for_each([this](const InfoHash& h, const SwarmCounts& c) {
        scrape_.push_back(ScrapeResult{h, c, true});
    });
    service_.metrics().scrape(Protocol::http);
    return {200, "text/plain", bencode_scrape(scrape_)};
}

HttpReply HttpRouter::scrape(const ParsedTarget& target) {
    auto hashes = parse_scrape_query(target.query, service_.config().max_scrape_hashes);
    if (!hashes)
        return refuse({ErrorKind::bad_request, hashes.error().message});
    if (hashes->empty())
        return full_scrape(target);
    const auto refusal = service_.scrape(*hashes, target.passkey, scrape_);
    return scraped(refusal, scrape_);
}

}  // namespace shoal::tracker
