// GCC 12 at -O3 misreads Asio's recycled coroutine frames as freeing a non-heap pointer
// (-Wfree-nonheap-object, a false positive); the frames come from operator new.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wfree-nonheap-object"
#endif

#include "discovery/tracker/http_tracker.hpp"

#include <exception>

#include "discovery/tracker/tracker_url.hpp"
#include "http_client/http_get.hpp"

namespace shoal::tracker_client {
namespace {

namespace asio = boost::asio;

http_client::GetOptions get_options(const HttpTrackerOptions& options) {
    http_client::GetOptions get;
    get.timeout = options.timeout;
    get.max_redirects = options.max_redirects;
    get.max_body_bytes = options.limits.max_reply_bytes;
    get.user_agent = options.user_agent;
    get.binding = options.binding;
    return get;
}

// Non-200 replies often still carry a bencoded failure reason; prefer it to the status.
template <class T>
Result<T> interpret(const Result<http_client::Reply>& reply, const std::string& prefix,
                    Result<T> (*parse)(std::string_view, const ReplyLimits&),
                    const ReplyLimits& limits) {
    if (!reply)
        return reply.error();
    auto parsed = parse(reply->body, limits);
    if (reply->status != 200) {
        if (!parsed && parsed.error().message.starts_with("failure reason: "))
            return make_error(parsed.error().code, prefix + " replied: " + parsed.error().message);
        return make_error(ErrorCode::refused,
                          prefix + " replied: HTTP " + std::to_string(reply->status) +
                              (reply->reason.empty() ? "" : " " + reply->reason));
    }
    if (!parsed)
        return make_error(parsed.error().code, prefix + " replied: " + parsed.error().message);
    return parsed;
}

}  // namespace

asio::awaitable<Result<AnnounceResponse>> http_announce(asio::ssl::context& tls, std::string url,
                                                        AnnounceRequest request,
                                                        HttpTrackerOptions options) {
    const std::string prefix = "tracker " + url;
    try {
        auto full = make_announce_url(url, request);
        if (!full)
            co_return full.error();
        auto reply = co_await http_client::get(tls, *full, prefix, get_options(options));
        auto response = interpret<AnnounceResponse>(reply, prefix, &parse_announce_reply, options.limits);
        if (response && reply)
            response->tracker_address = reply->from.address();
        co_return response;
    } catch (const std::exception& e) {
        co_return make_error(prefix + ": " + e.what());
    }
}

asio::awaitable<Result<ScrapeResponse>> http_scrape(asio::ssl::context& tls, std::string url,
                                                    std::vector<SwarmHash> hashes,
                                                    HttpTrackerOptions options) {
    const std::string prefix = "tracker " + url;
    try {
        auto full = make_scrape_url(url, hashes);
        if (!full)
            co_return full.error();
        auto reply = co_await http_client::get(tls, *full, prefix, get_options(options));
        co_return interpret<ScrapeResponse>(reply, prefix, &parse_scrape_reply, options.limits);
    } catch (const std::exception& e) {
        co_return make_error(prefix + ": " + e.what());
    }
}

}  // namespace shoal::tracker_client
