#include "tracker/http_router.hpp"

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
    return HttpReply{200, "text/plain", bencode_failure(refusal.message)};
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
            if (service_.config().metrics) {
                const auto totals = service_.store().totals();
                if (target.route == Route::metrics) {
                    return {200, "text/plain; version=0.0.4",
                            service_.metrics().prometheus(totals)};
                }
                return {200, "application/json",
                        service_.metrics().json(totals, clock_() - started_)};
            }
            break;
        case Route::not_found:
            break;
    }
    service_.metrics().error(ErrorKind::not_found);
    return {404, "text/plain", "not found\n"};
}

HttpReply HttpRouter::announce(const ParsedTarget& target, const IpAddress& client) {
    auto query = parse_announce_query(target.query);
    if (!query)
        return refuse({ErrorKind::bad_request, query.error().message});
    Announce r;
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
    const AnnounceOutcome outcome = service_.announce(r, clock_(), peers_);
    if (outcome.refusal)
        return refuse(*outcome.refusal);
    service_.metrics().announce(Protocol::http);
    return {200, "text/plain",
            bencode_announce(outcome, peers_, query->compact, query->no_peer_id)};
}

HttpReply HttpRouter::scrape(const ParsedTarget& target) {
    auto hashes = parse_scrape_query(target.query, service_.config().max_scrape_hashes);
    if (!hashes)
        return refuse({ErrorKind::bad_request, hashes.error().message});
    if (hashes->empty()) {
        if (!service_.config().full_scrape) {
            return refuse({ErrorKind::bad_request, "scrape needs at least one info_hash"});
        }
        if (!service_.access().passkey_allowed(target.passkey)) {
            return refuse({ErrorKind::bad_passkey, "unknown passkey"});
        }
        scrape_.clear();
        service_.store().for_each([this](const InfoHash& h, const SwarmCounts& c) {
            scrape_.push_back(ScrapeResult{h, c, true});
        });
        service_.metrics().scrape(Protocol::http);
        return {200, "text/plain", bencode_scrape(scrape_)};
    }
    if (auto refusal = service_.scrape(*hashes, target.passkey, scrape_))
        return refuse(*refusal);
    service_.metrics().scrape(Protocol::http);
    return {200, "text/plain", bencode_scrape(scrape_)};
}

}  // namespace shoal::tracker
