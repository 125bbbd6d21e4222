#pragma once
// Turns one HTTP request (already read) into a reply: /announce, /scrape, /metrics, /stats,
// and /PASSKEY/announce, /PASSKEY/scrape. No sockets here, so tests drive it directly.

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "tracker/announce_service.hpp"
#include "tracker/net.hpp"

namespace shoal::tracker {

struct HttpRequestView {
    std::string_view target;  // path and query
    IpAddress peer;           // the socket's remote address
    std::string_view x_real_ip;
    std::string_view x_forwarded_for;
};

struct HttpReply {
    unsigned status = 200;
    std::string_view content_type = "text/plain";
    std::string body;
};

enum class Route { announce, scrape, metrics, stats, not_found };

struct ParsedTarget {
    Route route = Route::not_found;
    std::string_view passkey;
    std::string_view query;
};

ParsedTarget parse_target(std::string_view target);

class HttpRouter {
  public:
    using Clock = std::function<std::uint32_t()>;

    HttpRouter(AnnounceService& service, std::vector<IpAddress> trusted_proxies, Clock clock);

    // For a service that answers at once (the in-memory store).
    HttpReply handle(const HttpRequestView& request);
    // For either store; the view's text must stay valid until the reply.
    asio::awaitable<HttpReply> handle_later(const HttpRequestView& request);
    // Whether requests must go through handle_later.
    bool answers_later() const { return service_.answers_later(); }

  private:
    // Query parsing shared by both forms: fills `out`, or returns the refusal's reply.
    std::optional<HttpReply> parse_announce(const ParsedTarget& target, const IpAddress& client,
                                            Announce& out, bool& compact, bool& no_peer_id);
    HttpReply announce(const ParsedTarget& target, const IpAddress& client);
    HttpReply scrape(const ParsedTarget& target);
    HttpReply full_scrape(const ParsedTarget& target);
    HttpReply status_page(Route route);
    HttpReply refuse(const Refusal& refusal);
    HttpReply announced(const AnnounceOutcome& outcome, const std::vector<PeerInfo>& peers,
                        bool compact, bool no_peer_id);
    HttpReply scraped(const std::optional<Refusal>& refusal,
                      const std::vector<ScrapeResult>& results);

    AnnounceService& service_;
    std::vector<IpAddress> trusted_proxies_;
    Clock clock_;
    std::uint32_t started_;
    std::vector<PeerInfo> peers_;
    std::vector<ScrapeResult> scrape_;
};

}  // namespace shoal::tracker
