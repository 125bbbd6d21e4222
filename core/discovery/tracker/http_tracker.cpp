// GCC 12 at -O3 misreads Asio's recycled coroutine frames as freeing a non-heap pointer
// (-Wfree-nonheap-object, a false positive); the frames come from operator new.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wfree-nonheap-object"
#endif

#include "discovery/tracker/http_tracker.hpp"

#include <exception>
#include <optional>

#include <openssl/ssl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include "discovery/tracker/tracker_url.hpp"
#include "net/bound_tcp_socket.hpp"
#include "util/host_lookup.hpp"

namespace shoal::tracker_client {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr auto k_use = asio::as_tuple(asio::use_awaitable);
constexpr std::uint32_t k_max_header_bytes = 16 * 1024;

struct HttpReply {
    unsigned status = 0;
    std::string reason;
    std::string body;
    tcp::endpoint from;  // the server that answered
};

std::string seconds_text(std::chrono::milliseconds d) {
    auto ms = d.count();
    if (ms % 1000 == 0)
        return std::to_string(ms / 1000) + " s";
    return std::to_string(ms) + " ms";
}

// Turns an I/O failure into words; a timeout reads better as what the user waited for.
std::string describe(const boost::system::error_code& ec, const HttpTrackerOptions& options) {
    if (ec == beast::error::timeout)
        return "no reply within " + seconds_text(options.timeout);
    return ec.message();
}

ErrorCode code_of(const boost::system::error_code& ec) {
    return ec == beast::error::timeout ? ErrorCode::timeout : ErrorCode::network;
}

bool is_ip_literal(const std::string& host) {
    boost::system::error_code ec;
    asio::ip::make_address(host, ec);
    return !ec;
}

bool is_redirect(unsigned status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

// One request on an open stream (plain or TLS); reads the reply with the body capped.
template <class Stream>
asio::awaitable<Result<HttpReply>> exchange(Stream& stream,
                                            const http::request<http::empty_body>& req,
                                            const std::string& prefix,
                                            const HttpTrackerOptions& options) {
    auto [wec, written] = co_await http::async_write(stream, req, k_use);
    (void)written;
    if (wec)
        co_return make_error(code_of(wec),
                             prefix + ": sending the request failed: " + describe(wec, options));
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.header_limit(k_max_header_bytes);
    parser.body_limit(options.limits.max_reply_bytes);
    auto [rec, read] = co_await http::async_read(stream, buffer, parser, k_use);
    (void)read;
    if (rec == http::error::body_limit)
        co_return make_error(ErrorCode::too_large,
                             prefix + " replied: reply exceeds the limit of " +
                                 std::to_string(options.limits.max_reply_bytes) + " bytes");
    if (rec == http::error::header_limit)
        co_return make_error(ErrorCode::too_large, prefix + " replied: HTTP header exceeds " +
                                                       std::to_string(k_max_header_bytes) +
                                                       " bytes");
    if (rec)
        co_return make_error(code_of(rec),
                             prefix + ": reading the reply failed: " + describe(rec, options));
    auto& res = parser.get();
    HttpReply reply{res.result_int(), std::string(res.reason()), std::move(res.body()), {}};
    if (is_redirect(reply.status))
        reply.body = std::string(res[http::field::location]);
    co_return reply;
}

// Connects to the first of `endpoints` that answers, each socket bound as the options say,
// within the stream's deadline. The error is the last endpoint's, in words.
asio::awaitable<Result<Done>> connect(beast::tcp_stream& stream, const std::vector<tcp::endpoint>& endpoints,
                                      const HttpTrackerOptions& options) {
    Error last = make_error(ErrorCode::network, describe(asio::error::host_not_found, options));
    for (const auto& endpoint : endpoints) {
        auto& socket = stream.socket();
        boost::system::error_code ignored;
        socket.close(ignored);
        if (auto opened = net::open_bound_tcp_socket(socket, endpoint.protocol(), options.binding); !opened) {
            last = opened.error();
            continue;
        }
        auto [ec] = co_await stream.async_connect(endpoint, k_use);
        if (!ec)
            co_return Done{};
        last = make_error(code_of(ec), describe(ec, options));
        if (ec == beast::error::timeout)
            break;
    }
    co_return last;
}

// One GET without following redirects. For a redirect the body holds the Location value.
asio::awaitable<Result<HttpReply>> get_once(asio::ssl::context& tls, const std::string& url,
                                            const std::string& prefix, Clock::time_point deadline,
                                            const HttpTrackerOptions& options) {
    auto parts = split_tracker_url(url);
    if (!parts)
        co_return parts.error();
    if (parts->scheme == "udp")
        co_return make_error(ErrorCode::invalid_input, prefix + ": redirected to a udp URL");
    const bool secure = parts->scheme == "https";

    auto executor = co_await asio::this_coro::executor;
    // The lookup counts against the request's deadline like everything else.
    auto addresses = co_await lookup_host(parts->host, deadline);
    if (!addresses)
        co_return make_error(addresses.error().code, prefix + ": cannot resolve " + parts->host +
                                                         ": " + addresses.error().message);
    std::vector<tcp::endpoint> endpoints;
    for (const auto& address : *addresses)
        endpoints.emplace_back(address, parts->port);

    http::request<http::empty_body> req{http::verb::get, parts->target, 11};
    const bool default_port = parts->port == (secure ? 443 : 80);
    std::string host_header =
        parts->host.find(':') != std::string::npos ? "[" + parts->host + "]" : parts->host;
    if (!default_port)
        host_header += ":" + std::to_string(parts->port);
    req.set(http::field::host, host_header);
    req.set(http::field::user_agent, options.user_agent);
    req.set(http::field::accept_encoding, "identity");
    req.set(http::field::connection, "close");

    if (!secure) {
        beast::tcp_stream stream(executor);
        stream.expires_at(deadline);
        if (auto connected = co_await connect(stream, endpoints, options); !connected)
            co_return make_error(connected.error().code,
                                 prefix + ": cannot connect: " + connected.error().message);
        boost::system::error_code ignored;
        const auto from = stream.socket().remote_endpoint(ignored);
        auto reply = co_await exchange(stream, req, prefix, options);
        if (reply)
            reply->from = from;
        co_return reply;
    }

    asio::ssl::stream<beast::tcp_stream> stream(executor, tls);
    if (!is_ip_literal(parts->host) &&
        !SSL_set_tlsext_host_name(stream.native_handle(), parts->host.c_str()))
        co_return make_error(prefix + ": cannot set the TLS server name");
    stream.set_verify_callback(asio::ssl::host_name_verification(parts->host));
    beast::get_lowest_layer(stream).expires_at(deadline);
    if (auto connected = co_await connect(beast::get_lowest_layer(stream), endpoints, options); !connected)
        co_return make_error(connected.error().code, prefix + ": cannot connect: " + connected.error().message);
    auto [hec] = co_await stream.async_handshake(asio::ssl::stream_base::client, k_use);
    if (hec)
        co_return make_error(code_of(hec),
                             prefix + ": TLS handshake failed: " + describe(hec, options));
    boost::system::error_code ignored;
    const auto from = beast::get_lowest_layer(stream).socket().remote_endpoint(ignored);
    auto reply = co_await exchange(stream, req, prefix, options);
    if (reply)
        reply->from = from;
    co_return reply;
}

// A GET that follows up to options.max_redirects redirects, all within one deadline.
asio::awaitable<Result<HttpReply>> get(asio::ssl::context& tls, std::string url,
                                       const std::string& prefix,
                                       const HttpTrackerOptions& options) {
    const auto deadline = Clock::now() + options.timeout;
    for (int hop = 0;; ++hop) {
        auto reply = co_await get_once(tls, url, prefix, deadline, options);
        if (!reply || !is_redirect(reply->status))
            co_return reply;
        if (hop >= options.max_redirects)
            co_return make_error(prefix + ": more than " + std::to_string(options.max_redirects) +
                                 " redirects");
        const std::string& location = reply->body;
        if (location.starts_with("http://") || location.starts_with("https://")) {
            url = location;
        } else if (location.starts_with("/") && !location.starts_with("//")) {
            // Same scheme and authority, new target.
            auto scheme_end = url.find("://");
            auto authority_end = url.find_first_of("/?#", scheme_end + 3);
            url = url.substr(0, authority_end) + location;
        } else {
            co_return make_error(ErrorCode::invalid_input,
                                 prefix + ": redirected to an unusable location \"" +
                                     location.substr(0, 200) + "\"");
        }
    }
}

// Non-200 replies often still carry a bencoded failure reason; prefer it to the status.
template <class T>
Result<T> interpret(const Result<HttpReply>& reply, const std::string& prefix,
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

asio::ssl::context make_tracker_tls_context() {
    asio::ssl::context tls(asio::ssl::context::tls_client);
    tls.set_default_verify_paths();
    tls.set_verify_mode(asio::ssl::verify_peer);
    return tls;
}

asio::awaitable<Result<AnnounceResponse>> http_announce(asio::ssl::context& tls, std::string url,
                                                        AnnounceRequest request,
                                                        HttpTrackerOptions options) {
    const std::string prefix = "tracker " + url;
    try {
        auto full = make_announce_url(url, request);
        if (!full)
            co_return full.error();
        auto reply = co_await get(tls, *full, prefix, options);
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
        auto reply = co_await get(tls, *full, prefix, options);
        co_return interpret<ScrapeResponse>(reply, prefix, &parse_scrape_reply, options.limits);
    } catch (const std::exception& e) {
        co_return make_error(prefix + ": " + e.what());
    }
}

}  // namespace shoal::tracker_client
