#pragma once
// Small in-test HTTP(S) and UDP tracker stand-ins on 127.0.0.1 with ephemeral ports, driven
// by per-test handlers, plus a helper that runs one client coroutine to completion.

#include <chrono>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace shoal::test {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;
using asio::ip::udp;
using Bytes = std::vector<std::uint8_t>;

inline constexpr auto k_tuple = asio::as_tuple(asio::use_awaitable);

// Runs `work` on `io` until it finishes (other coroutines, such as servers, keep running
// meanwhile); gives up after `limit` so a broken client cannot hang the suite.
template <class T>
asio::awaitable<void> store_result(asio::awaitable<T> work, std::optional<T>& out) {
    out.emplace(co_await std::move(work));
}

template <class T>
T run_until_done(asio::io_context& io, asio::awaitable<T> work,
                 std::chrono::milliseconds limit = std::chrono::milliseconds(10'000)) {
    std::optional<T> result;
    std::exception_ptr failure;
    bool done = false;
    asio::co_spawn(io, store_result(std::move(work), result), [&](std::exception_ptr e) {
        failure = e;
        done = true;
    });
    io.restart();
    const auto give_up = std::chrono::steady_clock::now() + limit;
    while (!done && std::chrono::steady_clock::now() < give_up)
        io.run_one_for(std::chrono::milliseconds(50));
    if (!done)
        throw std::runtime_error("client coroutine did not finish in time");
    if (failure)
        std::rethrow_exception(failure);
    return std::move(*result);
}

// What the fake HTTP tracker does with one request.
struct CannedReply {
    unsigned status = 200;
    std::string body;
    std::string location;  // sent for redirects
    std::chrono::milliseconds delay{0};
    bool hang_up = false;  // close without answering
};

inline CannedReply reply(unsigned status, std::string body) {
    CannedReply r;
    r.status = status;
    r.body = std::move(body);
    return r;
}
inline CannedReply redirect(unsigned status, std::string location) {
    CannedReply r;
    r.status = status;
    r.location = std::move(location);
    return r;
}
inline CannedReply hang_up() {
    CannedReply r;
    r.hang_up = true;
    return r;
}

class FakeHttpServer {
  public:
    using Handler = std::function<CannedReply(const std::string& target)>;

    FakeHttpServer(asio::io_context& io, Handler handler, asio::ssl::context* tls = nullptr)
        : acceptor_(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
          handler_(std::move(handler)),
          tls_(tls) {
        asio::co_spawn(io, accept_loop(), asio::detached);
    }
    ~FakeHttpServer() { close(); }

    std::uint16_t port() const { return port_; }
    std::string url(const std::string& target) const {
        return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) +
               target;
    }
    void close() {
        boost::system::error_code ec;
        acceptor_.close(ec);
    }

    std::vector<std::string> targets;  // request targets in arrival order
    std::vector<std::string> hosts;    // Host headers
    std::vector<std::string> cookies;  // Cookie headers

  private:
    asio::awaitable<void> accept_loop() {
        for (;;) {
            auto [ec, socket] = co_await acceptor_.async_accept(k_tuple);
            if (ec)
                co_return;
            asio::co_spawn(acceptor_.get_executor(), serve_socket(std::move(socket)),
                           asio::detached);
        }
    }

    asio::awaitable<void> serve_socket(tcp::socket socket) {
        if (!tls_) {
            co_await serve(socket);
            co_return;
        }
        asio::ssl::stream<tcp::socket> stream(std::move(socket), *tls_);
        auto [ec] = co_await stream.async_handshake(asio::ssl::stream_base::server, k_tuple);
        if (ec)
            co_return;  // the client refused our certificate
        co_await serve(stream);
    }

    template <class Stream>
    asio::awaitable<void> serve(Stream& stream) {
        boost::beast::flat_buffer buffer;
        http::request<http::string_body> req;
        auto [rec, read] = co_await http::async_read(stream, buffer, req, k_tuple);
        (void)read;
        if (rec)
            co_return;
        targets.push_back(std::string(req.target()));
        hosts.push_back(std::string(req[http::field::host]));
        cookies.push_back(std::string(req[http::field::cookie]));
        CannedReply canned = handler_(std::string(req.target()));
        if (canned.delay.count() > 0) {
            asio::steady_timer timer(co_await asio::this_coro::executor, canned.delay);
            co_await timer.async_wait(k_tuple);
        }
        if (canned.hang_up)
            co_return;
        http::response<http::string_body> res{static_cast<http::status>(canned.status), 11};
        if (!canned.location.empty())
            res.set(http::field::location, canned.location);
        res.set(http::field::content_type, "text/plain");
        res.body() = canned.body;
        res.prepare_payload();
        co_await http::async_write(stream, res, k_tuple);
    }

    tcp::acceptor acceptor_;
    std::uint16_t port_ = acceptor_.local_endpoint().port();
    Handler handler_;
    asio::ssl::context* tls_;
};

// A UDP socket on 127.0.0.1 that hands every datagram to a handler and sends back what the
// handler returns (nothing, one or several packets).
class FakeUdpServer {
  public:
    using Handler = std::function<std::vector<Bytes>(const Bytes& packet)>;

    FakeUdpServer(asio::io_context& io, Handler handler)
        : socket_(io, udp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
          handler_(std::move(handler)) {
        asio::co_spawn(io, loop(), asio::detached);
    }
    ~FakeUdpServer() { close(); }

    std::uint16_t port() const { return port_; }
    std::string url(const std::string& target = "") const {
        return "udp://127.0.0.1:" + std::to_string(port_) + target;
    }
    void close() {
        boost::system::error_code ec;
        socket_.close(ec);
    }

    std::vector<Bytes> received;
    std::vector<udp::endpoint> senders;  // of each packet received

  private:
    asio::awaitable<void> loop() {
        Bytes buffer(65536);
        for (;;) {
            udp::endpoint from;
            auto [ec, size] =
                co_await socket_.async_receive_from(asio::buffer(buffer), from, k_tuple);
            if (ec == asio::error::operation_aborted || !socket_.is_open())
                co_return;
            if (ec)
                continue;
            Bytes packet(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(size));
            received.push_back(packet);
            senders.push_back(from);
            for (const auto& reply : handler_(packet))
                co_await socket_.async_send_to(asio::buffer(reply), from, k_tuple);
        }
    }

    udp::socket socket_;
    std::uint16_t port_ = socket_.local_endpoint().port();
    Handler handler_;
};

// Big-endian helpers for building and reading UDP tracker packets in tests.
inline void put32(Bytes& b, std::uint32_t v) {
    for (int s = 24; s >= 0; s -= 8)
        b.push_back(static_cast<std::uint8_t>(v >> s));
}
inline void put64(Bytes& b, std::uint64_t v) {
    put32(b, static_cast<std::uint32_t>(v >> 32));
    put32(b, static_cast<std::uint32_t>(v));
}
inline std::uint64_t read_be(const Bytes& b, std::size_t at, std::size_t size) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < size && at + i < b.size(); ++i)
        v = (v << 8) | b[at + i];
    return v;
}

}  // namespace shoal::test
