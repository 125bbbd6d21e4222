// GCC 12 at -O3 misreads Asio's recycled coroutine frames as freeing a non-heap pointer
// (-Wfree-nonheap-object, a false positive); the frames come from operator new.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wfree-nonheap-object"
#endif

#include "http_client/http_get.hpp"

#include <array>
#include <exception>

#include <openssl/ssl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include "http_client/url.hpp"
#include "net/bound_tcp_socket.hpp"
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

bool is_ip_literal(const std::string& host) {
    boost::system::error_code ec;
    asio::ip::make_address(host, ec);
    return !ec;
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

// Connects to the first of `endpoints` that answers, each socket bound as the options say,
// within the stream's deadline. The error is the last endpoint's, in words.
asio::awaitable<Result<Done>> connect(beast::tcp_stream& stream, const std::vector<tcp::endpoint>& endpoints,
                                      const GetOptions& options) {
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
    const bool default_port = parts->port == (secure ? 443 : 80);
    std::string host_header = parts->host.find(':') != std::string::npos ? "[" + parts->host + "]" : parts->host;
    if (!default_port)
        host_header += ":" + std::to_string(parts->port);
    req.set(bhttp::field::host, host_header);
    req.set(bhttp::field::user_agent, options.user_agent);
    req.set(bhttp::field::accept_encoding, "identity");
    req.set(bhttp::field::connection, "close");
    for (const auto& [name, value] : options.headers) {
        if (name.empty() || !is_one_line(name) || !is_one_line(value))
            co_return make_error(ErrorCode::invalid_input, prefix + ": a request header is not one line");
        req.set(name, value);
    }

    if (!secure) {
        beast::tcp_stream stream(executor);
        stream.expires_at(deadline);
        if (auto connected = co_await connect(stream, endpoints, options); !connected)
            co_return make_error(connected.error().code, prefix + ": cannot connect: " + connected.error().message);
        boost::system::error_code ignored;
        const auto from = stream.socket().remote_endpoint(ignored);
        auto reply = co_await exchange(stream, req, prefix, options);
        if (reply)
            reply->from = from;
        co_return reply;
    }

    asio::ssl::stream<beast::tcp_stream> stream(executor, tls);
    if (!is_ip_literal(parts->host) && !SSL_set_tlsext_host_name(stream.native_handle(), parts->host.c_str()))
        co_return make_error(prefix + ": cannot set the TLS server name");
    stream.set_verify_callback(asio::ssl::host_name_verification(parts->host));
    beast::get_lowest_layer(stream).expires_at(deadline);
    if (auto connected = co_await connect(beast::get_lowest_layer(stream), endpoints, options); !connected)
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

bool starts_with_nocase(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size())
        return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if ((c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c) != static_cast<unsigned char>(prefix[i]))
            return false;
    }
    return true;
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
        const bool web = starts_with_nocase(location, "http://") || starts_with_nocase(location, "https://");
        const bool path = location.starts_with("/") && !location.starts_with("//");
        if (!web && !path) {
            // Some other scheme (a magnet link, say): the caller decides.
            if (location.find(':') != std::string::npos)
                co_return reply;
            co_return make_error(ErrorCode::invalid_input,
                                 prefix + ": redirected to an unusable location \"" + location.substr(0, 200) + "\"");
        }
        if (hop >= options.max_redirects)
            co_return make_error(prefix + ": more than " + std::to_string(options.max_redirects) + " redirects");
        if (web) {
            url = location;
        } else {
            // Same scheme and authority, new target.
            auto scheme_end = url.find("://");
            auto authority_end = url.find_first_of("/?#", scheme_end + 3);
            url = url.substr(0, authority_end) + location;
        }
    }
}

}  // namespace

bool is_redirect(unsigned status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
}

asio::ssl::context make_tls_client_context() {
    asio::ssl::context tls(asio::ssl::context::tls_client);
    tls.set_default_verify_paths();
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
