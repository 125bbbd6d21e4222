#pragma once
// Announce and scrape over HTTP and HTTPS (BEP 3, BEP 48) with Boost.Beast.

#include <chrono>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>

#include "discovery/tracker/announce_types.hpp"
#include "discovery/tracker/tracker_response.hpp"
#include "net/socket_binding.hpp"
#include "util/result.hpp"

namespace shoal::tracker_client {

// How patient and how trusting an HTTP tracker request is.
struct HttpTrackerOptions {
    // For the whole request: the name lookup, connecting, TLS, every redirect and reading
    // the reply.
    std::chrono::milliseconds timeout{30'000};
    int max_redirects = 3;
    ReplyLimits limits;
    std::string user_agent = "Shoal/0.1";
    // The session's interface and listen address, which connections leave through.
    net::SocketBinding binding;
};

// One announce; HTTPS uses `tls` (verify mode and CAs come from it), SNI and host name checks.
// Errors start with "tracker <url>" and never escape as exceptions.
boost::asio::awaitable<Result<AnnounceResponse>> http_announce(boost::asio::ssl::context& tls,
                                                               std::string url,
                                                               AnnounceRequest request,
                                                               HttpTrackerOptions options = {});

// One scrape of `hashes` at the scrape address derived from the announce `url`.
boost::asio::awaitable<Result<ScrapeResponse>> http_scrape(boost::asio::ssl::context& tls,
                                                           std::string url,
                                                           std::vector<SwarmHash> hashes,
                                                           HttpTrackerOptions options = {});

}  // namespace shoal::tracker_client
