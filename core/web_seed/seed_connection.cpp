// GCC 12 at -O3 misreads Asio's recycled coroutine frames as freeing a non-heap pointer
// (-Wfree-nonheap-object, a false positive); the frames come from operator new.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wfree-nonheap-object"
#endif

#include "web_seed/seed_connection.hpp"

#include <array>
#include <exception>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include "http_client/connect.hpp"
#include "http_client/url.hpp"
#include "util/host_lookup.hpp"

namespace shoal::web_seed {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = beast::http;
using asio::ip::tcp;

namespace {

constexpr auto k_use = asio::as_tuple(asio::use_awaitable);
constexpr std::uint32_t k_max_header_bytes = 16 * 1024;
constexpr std::array<std::string_view, 2> k_schemes = {"http", "https"};

std::string origin_of(const http_client::UrlParts& parts) {
    return parts.scheme + "://" + parts.host + ":" + std::to_string(parts.port);
}

Error network_error(const boost::system::error_code& ec, const std::string& what) {
    if (ec == beast::error::timeout) return make_error(ErrorCode::timeout, what + ": no reply in time");
    if (ec == asio::error::operation_aborted) return make_error(ErrorCode::cancelled, what + ": cancelled");
    return make_error(ErrorCode::network, what + ": " + ec.message());
}

}  // namespace

struct SeedConnection::Stream {
    std::string origin;
    bool secure = false;
    std::unique_ptr<beast::tcp_stream> plain;
    std::unique_ptr<asio::ssl::stream<beast::tcp_stream>> tls;
    beast::flat_buffer buffer;
    bool reused = false;  // a request went over it already

    beast::tcp_stream& lowest() { return secure ? beast::get_lowest_layer(*tls) : *plain; }
    void close() {
        boost::system::error_code ignored;
        lowest().socket().close(ignored);
    }
};

namespace {

template <class S>
asio::awaitable<Result<RangeReply>> exchange(S& stream, beast::flat_buffer& buffer,
                                             const bhttp::request<bhttp::empty_body>& request, ByteRange range,
                                             std::int64_t file_size, std::chrono::milliseconds timeout,
                                             bool& keep_alive, std::string& location) {
    auto& lowest = beast::get_lowest_layer(stream);
    lowest.expires_after(timeout);
    auto [wec, written] = co_await bhttp::async_write(stream, request, k_use);
    (void)written;
    if (wec) co_return network_error(wec, "sending the request failed");
    bhttp::response_parser<bhttp::string_body> parser;
    parser.header_limit(k_max_header_bytes);
    parser.body_limit(static_cast<std::uint64_t>(range.length));
    lowest.expires_after(timeout);
    auto [hec, header_bytes] = co_await bhttp::async_read_header(stream, buffer, parser, k_use);
    (void)header_bytes;
    if (hec == bhttp::error::header_limit)
        co_return make_error(ErrorCode::too_large, "the reply's header is over 16 KiB");
    if (hec) co_return network_error(hec, "reading the reply failed");
    const ReplyHead head = read_head(parser.get().base());
    RangeReply reply{judge(head, range, file_size, std::chrono::system_clock::now()), {}};
    keep_alive = false;
    if (reply.verdict.kind == Verdict::Kind::redirect) location = head.location;
    if (reply.verdict.kind != Verdict::Kind::data) co_return reply;
    if (head.content_length && !head.chunked) {
        // The common case, a body of the length asked for (judge() saw to that): read straight
        // into its string in large reads, not through the parser 64 KiB at a time.
        reply.body.resize(static_cast<std::size_t>(range.length));
        const std::size_t buffered = std::min(buffer.size(), reply.body.size());
        asio::buffer_copy(asio::buffer(reply.body.data(), buffered), buffer.data());
        buffer.consume(buffered);
        // `timeout` is for each read: a slow seed that keeps sending is not cut off.
        for (std::size_t have = buffered; have < reply.body.size();) {
            lowest.expires_after(timeout);
            auto [rec, read] = co_await stream.async_read_some(
                asio::buffer(reply.body.data() + have, reply.body.size() - have), k_use);
            if (rec) co_return network_error(rec, "reading the reply failed");
            have += read;
        }
        keep_alive = parser.keep_alive();
        co_return reply;
    }
    boost::system::error_code bec;
    while (!bec && !parser.is_done()) {
        lowest.expires_after(timeout);
        auto [ec, read] = co_await bhttp::async_read_some(stream, buffer, parser, k_use);
        (void)read;
        bec = ec;
    }
    if (bec == bhttp::error::body_limit) {
        reply.verdict = {Verdict::Kind::back_off, "the reply is longer than asked for", std::nullopt};
        co_return reply;
    }
    if (bec) co_return network_error(bec, "reading the reply failed");
    reply.body = std::move(parser.get().body());
    if (reply.body.size() != static_cast<std::size_t>(range.length)) {
        reply.verdict = {Verdict::Kind::back_off, "the reply is shorter than asked for", std::nullopt};
        reply.body.clear();
        co_return reply;
    }
    keep_alive = parser.keep_alive();
    co_return reply;
}

}  // namespace

SeedConnection::SeedConnection(asio::any_io_executor executor, asio::ssl::context& tls, net::SocketBinding binding)
    : executor_(std::move(executor)), tls_(tls), binding_(std::move(binding)) {}

SeedConnection::~SeedConnection() = default;

void SeedConnection::close() {
    closed_ = true;
    if (stream_) stream_->close();
}

asio::awaitable<Result<Done>> SeedConnection::open(const http_client::UrlParts& parts,
                                                    std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    auto addresses = co_await lookup_host(parts.host, deadline);
    if (!addresses)
        co_return make_error(addresses.error().code, "cannot resolve " + parts.host + ": " + addresses.error().message);
    if (closed_) co_return make_error(ErrorCode::cancelled, "closed");
    auto stream = std::make_unique<Stream>();
    stream->origin = origin_of(parts);
    stream->secure = parts.scheme == "https";
    if (stream->secure) {
        stream->tls = std::make_unique<asio::ssl::stream<beast::tcp_stream>>(executor_, tls_);
        if (auto prepared = http_client::prepare_tls(*stream->tls, parts.host); !prepared) co_return prepared.error();
    } else {
        stream->plain = std::make_unique<beast::tcp_stream>(executor_);
    }
    // Reachable from close() while connecting.
    stream_ = std::move(stream);
    Stream& s = *stream_;
    std::vector<tcp::endpoint> endpoints;
    for (const auto& address : *addresses) endpoints.emplace_back(address, parts.port);
    s.lowest().expires_at(deadline);
    auto connected = co_await http_client::connect_first(
        s.lowest(), endpoints, binding_,
        [&](const boost::system::error_code& ec) { return network_error(ec, "cannot connect to " + parts.host); });
    Error last = connected ? Error{} : connected.error();
    if (closed_) last = make_error(ErrorCode::cancelled, "closed");
    bool ready = connected.ok();
    if (ready && !closed_ && s.secure) {
        s.lowest().expires_at(deadline);
        auto [hec] = co_await s.tls->async_handshake(asio::ssl::stream_base::client, k_use);
        if (hec) {
            last = network_error(hec, "TLS handshake with " + parts.host + " failed");
            ready = false;
        }
    }
    if (!ready || closed_) {
        s.close();
        stream_.reset();
        co_return last;
    }
    co_return Done{};
}

asio::awaitable<Result<RangeReply>> SeedConnection::fetch(std::string url, ByteRange range, std::int64_t file_size,
                                                          std::chrono::milliseconds timeout) {
    try {
        for (int hop = 0;; ++hop) {
            bool redirect = false;
            std::string location;
            auto reply = co_await fetch_once(url, range, file_size, timeout, redirect, location);
            if (!reply || !redirect) co_return reply;
            const std::string next = http_client::redirect_target(url, location);
            if (next.empty())
                co_return RangeReply{{Verdict::Kind::seed_failed, "redirected to an unusable location", std::nullopt}, {}};
            const auto from = http_client::split_url(url, k_schemes);
            const auto to = http_client::split_url(next, k_schemes);
            if (from && to && from->scheme == "https" && to->scheme == "http")
                co_return RangeReply{{Verdict::Kind::seed_failed, "redirected from https to http", std::nullopt}, {}};
            if (hop + 1 > k_max_redirects)
                co_return RangeReply{{Verdict::Kind::seed_failed, "more than 5 redirects", std::nullopt}, {}};
            url = std::move(next);
        }
    } catch (const std::exception& e) {
        if (stream_) stream_->close();
        stream_.reset();
        co_return make_error(ErrorCode::network, e.what());
    }
}

asio::awaitable<Result<RangeReply>> SeedConnection::fetch_once(const std::string& url, ByteRange range,
                                                               std::int64_t file_size,
                                                               std::chrono::milliseconds timeout, bool& redirect,
                                                               std::string& location) {
    if (closed_) co_return make_error(ErrorCode::cancelled, "closed");
    auto parts = http_client::split_url(url, k_schemes);
    if (!parts) co_return make_error(ErrorCode::invalid_input, parts.error().message);

    bhttp::request<bhttp::empty_body> request{bhttp::verb::get, parts->target, 11};
    request.set(bhttp::field::host, http_client::host_header(*parts));
    request.set(bhttp::field::user_agent, "Shoal/0.1");
    request.set(bhttp::field::accept_encoding, "identity");
    request.set(bhttp::field::range,
                "bytes=" + std::to_string(range.first) + "-" + std::to_string(range.first + range.length - 1));

    // A kept-alive connection the server has meanwhile closed fails at once: then once more
    // on a new one.
    for (int attempt = 0; attempt < 2; ++attempt) {
        const std::string origin = origin_of(*parts);
        if (stream_ && stream_->origin != origin) {
            stream_->close();
            stream_.reset();
        }
        if (!stream_) {
            auto opened = co_await open(*parts, timeout);
            if (!opened) co_return opened.error();
        }
        if (closed_) co_return make_error(ErrorCode::cancelled, "closed");
        Stream& s = *stream_;
        bool keep_alive = false;
        // (Not one co_await in each arm of ?:, which GCC 12 miscompiles.)
        Result<RangeReply> reply = make_error("no reply");
        if (s.secure) {
            reply = co_await exchange(*s.tls, s.buffer, request, range, file_size, timeout, keep_alive, location);
        } else {
            reply = co_await exchange(*s.plain, s.buffer, request, range, file_size, timeout, keep_alive, location);
        }
        const bool reused = s.reused;
        s.reused = true;
        if (!reply || !keep_alive || closed_) {
            s.close();
            stream_.reset();
        }
        if (!reply && reused && attempt == 0 && !closed_ && reply.error().code == ErrorCode::network) continue;
        if (reply) redirect = reply->verdict.kind == Verdict::Kind::redirect;
        co_return reply;
    }
    co_return make_error(ErrorCode::network, "the connection failed twice");
}

}  // namespace shoal::web_seed
