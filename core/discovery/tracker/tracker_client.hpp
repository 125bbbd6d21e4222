#pragma once
// The session's tracker client: routes http, https and udp tracker URLs to their protocol.

#include <optional>
#include <string>
#include <vector>

#include <boost/asio/ssl/context.hpp>

#include "discovery/tracker/http_tracker.hpp"
#include "http_client/http_get.hpp"
#include "discovery/tracker/tracker_transport.hpp"
#include "discovery/tracker/udp_tracker.hpp"

namespace shoal::tracker_client {

// Options of both protocols.
struct TrackerClientOptions {
    HttpTrackerOptions http;
    UdpTrackerOptions udp;
};

// One per session on the network thread, shared by every torrent's announcer; must outlive
// the requests it runs.
class TrackerClient : public TrackerTransport {
  public:
    // Verifies HTTPS trackers against the system's CAs.
    explicit TrackerClient(TrackerClientOptions options = {});
    // Uses the given TLS context (tests trust their own certificate with it).
    TrackerClient(boost::asio::ssl::context tls, TrackerClientOptions options);

    boost::asio::awaitable<Result<AnnounceResponse>> announce(std::string url,
                                                              AnnounceRequest request) override;
    boost::asio::awaitable<Result<ScrapeResponse>> scrape(std::string url,
                                                          std::vector<SwarmHash> hashes);
    // The TLS context HTTPS trackers are checked with; the session's web seeds use it too
    // (one context: loading the system's CAs is most of a session's start-up). Made when
    // first used, unless given.
    http_client::TlsClientContext& tls() { return tls_; }
    // UDP trackers are asked from these shared ports (see UdpTrackerClient::use_ports).
    void use_ports(net::UdpPort* v4, net::UdpPort* v6) { udp_.use_ports(v4, v6); }
    // HTTP(S) trackers are asked through this interface and from this address.
    void use_binding(net::SocketBinding binding) { options_.http.binding = std::move(binding); }
    // HTTP(S) announces tell trackers this IPv6 address ("ipv6=", BEP 7); none: not said.
    void use_ipv6_address(std::optional<boost::asio::ip::address_v6> address) {
        ipv6_address_ = address;
    }

  private:
    TrackerClientOptions options_;
    http_client::TlsClientContext tls_;
    UdpTrackerClient udp_;
    std::optional<boost::asio::ip::address_v6> ipv6_address_;
};

}  // namespace shoal::tracker_client
