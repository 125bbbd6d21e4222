// GCC 12 at -O3 misreads Asio's recycled coroutine frames as freeing a non-heap pointer
// (-Wfree-nonheap-object, a false positive); the frames come from operator new.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wfree-nonheap-object"
#endif

#include "http_client/http_get.hpp"

#include <array>
#include <exception>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include "http_client/connect.hpp"
#include "http_client/url.hpp"
#include "util/host_lookup.hpp"

namespace shoal::http_client {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr auto k_use = asio::as_tuple(asio::use_awaitable);
constexpr std::uint32_t k_max_header_bytes = 16 * 1024;
constexpr std::array<std::string_view, 2> k_schemes = {"http", "https"};

std::string seconds_text(std::chrono::milliseconds d) {
    auto ms = d.count();
    if (ms % 1000 == 0)
        return std::to_string(ms / 1000) + " s";
    return std::to_string(ms) + " ms";
}

// Turns an I/O failure into words; a timeout reads better as what the user waited for.
std::string describe(const boost::system::error_code& ec, const GetOptions& options) {
    if (ec == beast::error::timeout)
        return "no reply within " + seconds_text(options.timeout);
    return ec.message();
}

ErrorCode code_of(const boost::system::error_code& ec) {
    return ec == beast::error::timeout ? ErrorCode::timeout : ErrorCode::network;
}

bool is_one_line(const std::string& text) {
    return text.find_first_of("\r\n") == std::string::npos;
}

// One request on an open stream (plain or TLS); reads the reply with the body capped.
template <class Stream>
asio::awaitable<Result<Reply>> exchange(Stream& stream, const bhttp::request<bhttp::empty_body>& req,
                                        const std::string& prefix, const GetOptions& options) {
    auto [wec, written] = co_await bhttp::async_write(stream, req, k_use);
    (void)written;
    if (wec)
        co_return make_error(code_of(wec), prefix + ": sending the request failed: " + describe(wec, options));
    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.header_limit(k_max_header_bytes);
    parser.body_limit(options.max_body_bytes);
    auto [rec, read] = co_await bhttp::async_read(stream, buffer, parser, k_use);
    (void)read;
    if (rec == bhttp::error::body_limit)
        co_return make_error(ErrorCode::too_large, prefix + " replied: reply exceeds the limit of " +
                                                       std::to_string(options.max_body_bytes) + " bytes");
    if (rec == bhttp::error::header_limit)
        co_return make_error(ErrorCode::too_large, prefix + " replied: HTTP header exceeds " +
                                                       std::to_string(k_max_header_bytes) + " bytes");
    if (rec)
        co_return make_error(code_of(rec), prefix + ": reading the reply failed: " + describe(rec, options));
    auto& res = parser.get();
    Reply reply{res.result_int(), std::string(res.reason()), std::move(res.body()), {}, {}};
    if (is_redirect(reply.status))
        reply.location = std::string(res[bhttp::field::location]);
    co_return reply;
}

// One GET without following redirects.
asio::awaitable<Result<Reply>> get_once(asio::ssl::context& tls, const std::string& url, const std::string& prefix,
                                        Clock::time_point deadline, const GetOptions& options) {
    auto parts = split_url(url, k_schemes);
    if (!parts)
        co_return make_error(parts.error().code, prefix + ": " + parts.error().message);
    const bool secure = parts->scheme == "https";

    auto executor = co_await asio::this_coro::executor;
    // The lookup counts against the request's deadline like everything else.
    auto addresses = co_await lookup_host(parts->host, deadline);
    if (!addresses)
        co_return make_error(addresses.error().code,
                             prefix + ": cannot resolve " + parts->host + ": " + addresses.error().message);
    std::vector<tcp::endpoint> endpoints;
    for (const auto& address : *addresses)
        endpoints.emplace_back(address, parts->port);

    bhttp::request<bhttp::empty_body> req{bhttp::verb::get, parts->target, 11};
    req.set(bhttp::field::host, host_header(*parts));
    req.set(bhttp::field::user_agent, options.user_agent);
    req.set(bhttp::field::accept_encoding, "identity");
    req.set(bhttp::field::connection, "close");
    for (const auto& [name, value] : options.headers) {
        if (name.empty() || !is_one_line(name) || !is_one_line(value))
            co_return make_error(ErrorCode::invalid_input, prefix + ": a request header is not one line");
        req.set(name, value);
    }

    const auto describe_connect = [&options](const boost::system::error_code& ec) {
        return make_error(code_of(ec), describe(ec, options));
    };
    if (!secure) {
        beast::tcp_stream stream(executor);
        stream.expires_at(deadline);
        if (auto connected = co_await connect_first(stream, endpoints, options.binding, describe_connect); !connected)
            co_return make_error(connected.error().code, prefix + ": cannot connect: " + connected.error().message);
        boost::system::error_code ignored;
        const auto from = stream.socket().remote_endpoint(ignored);
        auto reply = co_await exchange(stream, req, prefix, options);
        if (reply)
            reply->from = from;
        co_return reply;
    }

    asio::ssl::stream<beast::tcp_stream> stream(executor, tls);
    if (auto prepared = prepare_tls(stream, parts->host); !prepared)
        co_return make_error(prefix + ": " + prepared.error().message);
    beast::get_lowest_layer(stream).expires_at(deadline);
    if (auto connected = co_await connect_first(beast::get_lowest_layer(stream), endpoints, options.binding,
                                                describe_connect);
        !connected)
        co_return make_error(connected.error().code, prefix + ": cannot connect: " + connected.error().message);
    auto [hec] = co_await stream.async_handshake(asio::ssl::stream_base::client, k_use);
    if (hec)
        co_return make_error(code_of(hec), prefix + ": TLS handshake failed: " + describe(hec, options));
    boost::system::error_code ignored;
    const auto from = beast::get_lowest_layer(stream).socket().remote_endpoint(ignored);
    auto reply = co_await exchange(stream, req, prefix, options);
    if (reply)
        reply->from = from;
    co_return reply;
}

asio::awaitable<Result<Reply>> follow(asio::ssl::context& tls, std::string url, const std::string& prefix,
                                      const GetOptions& options) {
    const auto deadline = Clock::now() + options.timeout;
    for (int hop = 0;; ++hop) {
        auto reply = co_await get_once(tls, url, prefix, deadline, options);
        if (!reply || !is_redirect(reply->status))
            co_return reply;
        const std::string& location = reply->location;
        if (location.empty())
            co_return make_error(ErrorCode::invalid_input, prefix + ": redirected without a location");
        const std::string next = redirect_target(url, location);
        if (next.empty()) {
            // Some other scheme (a magnet link, say): the caller decides.
            if (location.find(':') != std::string::npos)
                co_return reply;
            co_return make_error(ErrorCode::invalid_input,
                                 prefix + ": redirected to an unusable location \"" + location.substr(0, 200) + "\"");
        }
        if (hop >= options.max_redirects)
            co_return make_error(prefix + ": more than " + std::to_string(options.max_redirects) + " redirects");
        url = next;
    }
}

}  // namespace

bool is_redirect(unsigned status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

asio::ssl::context make_tls_client_context() {
    asio::ssl::context tls(asio::ssl::context::tls_client);
    load_ca_store_on_first_use(tls);
    tls.set_verify_mode(asio::ssl::verify_peer);
    return tls;
}

asio::awaitable<Result<Reply>> get(asio::ssl::context& tls, std::string url, std::string prefix, GetOptions options) {
    try {
        co_return co_await follow(tls, std::move(url), prefix, options);
    } catch (const std::exception& e) {
        co_return make_error(prefix + ": " + e.what());
    }
}

}  // namespace shoal::http_client
