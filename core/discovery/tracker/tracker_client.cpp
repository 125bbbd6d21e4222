// GCC 12 at -O3 misreads Asio's recycled coroutine frames as freeing a non-heap pointer
// (-Wfree-nonheap-object, a false positive); the frames come from operator new.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wfree-nonheap-object"
#endif

#include "discovery/tracker/tracker_client.hpp"

#include "discovery/tracker/tracker_url.hpp"
#include "http_client/http_get.hpp"

namespace shoal::tracker_client {

namespace asio = boost::asio;

TrackerClient::TrackerClient(TrackerClientOptions options) : options_(std::move(options)), udp_(options_.udp) {}

TrackerClient::TrackerClient(asio::ssl::context tls, TrackerClientOptions options)
    : options_(std::move(options)), tls_(std::move(tls)), udp_(options_.udp) {}

asio::awaitable<Result<AnnounceResponse>> TrackerClient::announce(std::string url,
                                                                  AnnounceRequest request) {
    auto parts = split_tracker_url(url);
    if (!parts)
        co_return parts.error();
    if (parts->scheme == "udp")
        co_return co_await udp_.announce(std::move(url), std::move(request));
    if (!request.ipv6)
        request.ipv6 = ipv6_address_;
    co_return co_await http_announce(tls_.get(), std::move(url), std::move(request), options_.http);
}

asio::awaitable<Result<ScrapeResponse>> TrackerClient::scrape(std::string url,
                                                              std::vector<SwarmHash> hashes) {
    auto parts = split_tracker_url(url);
    if (!parts)
        co_return parts.error();
    if (parts->scheme == "udp")
        co_return co_await udp_.scrape(std::move(url), std::move(hashes));
    co_return co_await http_scrape(tls_.get(), std::move(url), std::move(hashes), options_.http);
}

}  // namespace shoal::tracker_client
