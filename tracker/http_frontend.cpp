#include "tracker/http_frontend.hpp"

#include <boost/asio/co_spawn.hpp>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "tracker/address.hpp"
#include "tracker/http_request.hpp"
#include "tracker/log.hpp"

namespace shoal::tracker {
namespace {

void log_exception(std::exception_ptr e, std::string_view where) {
    if (!e)
        return;
    try {
        std::rethrow_exception(e);
    } catch (const std::exception& x) {
        log_event(LogLevel::error, "internal_error",
                  {{"where", std::string(where)}, {"what", x.what()}});
    } catch (...) {
        log_event(LogLevel::error, "internal_error", {{"where", std::string(where)}});
    }
}

// Counts a connection (opened by serve_first) as closed however its coroutine ends.
struct ConnectionClosed {
    Metrics& metrics;
    explicit ConnectionClosed(Metrics& m) : metrics(m) {}
    ~ConnectionClosed() { metrics.connection_closed(); }
    ConnectionClosed(const ConnectionClosed&) = delete;
    ConnectionClosed& operator=(const ConnectionClosed&) = delete;
};

std::string_view reason_phrase(unsigned status) {
    switch (status) {
        case 200:
            return "OK";
        case 400:
            return "Bad Request";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 413:
            return "Payload Too Large";
        case 431:
            return "Request Header Fields Too Large";
        case 500:
            return "Internal Server Error";
        default:
            return "Unknown";
    }
}

// Whether a blank line (the end of a head) is in buffer[from, size).
bool has_blank_line(const std::string& buffer, std::size_t from, std::size_t size) {
    for (std::size_t i = from; i < size; ++i) {
        if (buffer[i] != '\n')
            continue;
        if (i + 1 < size && buffer[i + 1] == '\n')
            return true;
        if (i + 2 < size && buffer[i + 1] == '\r' && buffer[i + 2] == '\n')
            return true;
    }
    return false;
}

}  // namespace

// Links a connection into the sweep's list for as long as it is served.
class HttpFrontend::Registration {
  public:
    Registration(HttpFrontend& f, Connection& c) : f_(f), c_(c) {
        c_.next = f_.connections_;
        if (f_.connections_ != nullptr)
            f_.connections_->prev = &c_;
        f_.connections_ = &c_;
    }
    ~Registration() {
        if (c_.prev != nullptr)
            c_.prev->next = c_.next;
        else
            f_.connections_ = c_.next;
        if (c_.next != nullptr)
            c_.next->prev = c_.prev;
    }
    Registration(const Registration&) = delete;
    Registration& operator=(const Registration&) = delete;

  private:
    HttpFrontend& f_;
    Connection& c_;
};

HttpFrontend::HttpFrontend(tcp::acceptor acceptor, HttpRouter& router, Metrics& metrics,
                           const Config& config)
    : acceptor_(std::move(acceptor)),
      router_(router),
      metrics_(metrics),
      config_(config),
      sweep_timer_(acceptor_.get_executor()) {
    // Accepted sockets inherit it: replies go out at once, without a call per connection.
    boost::system::error_code ignored;
    acceptor_.set_option(tcp::no_delay(true), ignored);
    // A connection is handed over once its first bytes are there (and a silent one after the
    // request timeout), so the first read almost always finds the request: one wake-up and
    // no event-loop registration per request when clients close after each.
    const int defer_seconds = static_cast<int>(config_.request_timeout);
    ::setsockopt(acceptor_.native_handle(), IPPROTO_TCP, TCP_DEFER_ACCEPT, &defer_seconds,
                 sizeof defer_seconds);
}

void HttpFrontend::start() {
    asio::co_spawn(acceptor_.get_executor(), accept_loop(),
                   [](std::exception_ptr e) { log_exception(e, "http accept"); });
    sweep();
}

void HttpFrontend::stop() {
    boost::system::error_code ec;
    acceptor_.close(ec);
    sweep_timer_.cancel();
    for (Connection* c = connections_; c != nullptr; c = c->next)
        c->socket.close(ec);
}

// Closes connections past their deadline, a few times per timeout.
void HttpFrontend::sweep() {
    const auto period = std::min<std::chrono::milliseconds>(
        std::chrono::milliseconds(1000), std::chrono::milliseconds(config_.request_timeout * 250));
    sweep_timer_.expires_after(period);
    sweep_timer_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || !acceptor_.is_open())
            return;
        const auto now = std::chrono::steady_clock::now();
        for (Connection* c = connections_; c != nullptr; c = c->next) {
            if (c->deadline < now && !c->timed_out) {
                c->timed_out = true;
                boost::system::error_code ignored;
                c->socket.close(ignored);
            }
        }
        sweep();
    });
}

asio::awaitable<void> HttpFrontend::accept_loop() {
    asio::steady_timer backoff(acceptor_.get_executor());
    boost::system::error_code ec;
    acceptor_.non_blocking(true, ec);
    for (;;) {
        auto [wait_ec] = co_await acceptor_.async_wait(tcp::acceptor::wait_read, k_use_tuple);
        if (wait_ec == asio::error::operation_aborted || !acceptor_.is_open())
            co_return;
        // A bounded batch per wake-up, so one thread's other work is not starved.
        for (int i = 0; i < 64; ++i) {
            sockaddr_storage address{};
            socklen_t length = sizeof address;
            const int fd = ::accept4(acceptor_.native_handle(),
                                     reinterpret_cast<sockaddr*>(&address), &length,
                                     SOCK_NONBLOCK | SOCK_CLOEXEC);
            if (fd < 0) {
                if (errno == EINTR || errno == ECONNABORTED || errno == EPROTO)
                    continue;
                if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EBADF || errno == EINVAL)
                    break;
                // Out of descriptors or memory: wait instead of spinning; others keep being
                // served.
                log_event(LogLevel::warn, "accept_failed", {{"error", std::strerror(errno)}});
                backoff.expires_after(std::chrono::milliseconds(100));
                co_await backoff.async_wait(k_use_tuple);
                break;
            }
            if (metrics_.open_connections() >=
                static_cast<std::int64_t>(config_.max_connections)) {
                metrics_.error(ErrorKind::connection_limit);
                ::close(fd);
                continue;
            }
            serve_first(fd, address);
        }
    }
}

void HttpFrontend::log_request(const IpAddress& peer, std::string_view target,
                               unsigned status) const {
    if (!config_.log_requests)
        return;
    log_event(LogLevel::info, "http_request",
              {{"client", format_ip(peer)},
               {"target", std::string(target.substr(0, 256))},
               {"status", std::to_string(status)}});
}

HttpReply HttpFrontend::dispatch(const HttpRequestHead& head, const IpAddress& peer) {
    HttpRequestView view;
    view.target = head.target;
    view.peer = peer;
    view.x_real_ip = head.x_real_ip;
    view.x_forwarded_for = head.x_forwarded_for;
    HttpReply reply;
    try {
        reply = router_.handle(view);
    } catch (const std::exception& e) {
        metrics_.error(ErrorKind::internal);
        log_event(LogLevel::error, "internal_error", {{"what", e.what()}});
        reply = HttpReply{500, "text/plain", "internal error\n"};
    }
    log_request(peer, head.target, reply.status);
    return reply;
}

void HttpFrontend::serve_first(int fd, const sockaddr_storage& address) {
    metrics_.connection_opened();  // closed here, or by serve()
    PeerEndpoint remote;
    endpoint_from_sockaddr(address, remote);
    const std::size_t limit = config_.max_header_bytes;
    first_in_.resize(limit);
    first_out_.clear();
    std::size_t have = 0;
    const ssize_t n = ::recv(fd, first_in_.data(), limit, 0);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
        ::close(fd);
        metrics_.connection_closed();
        return;
    }
    if (n > 0)
        have = static_cast<std::size_t>(n);
    HttpRequestHead head;
    std::size_t consumed = 0;
    if (have > 0 && !router_.answers_later() && has_blank_line(first_in_, 0, have) &&
        parse_request_head({first_in_.data(), have}, head).status == HeadStatus::complete &&
        head.content_length == 0 && (head.method == "GET" || head.method == "HEAD")) {
        const HttpReply reply = dispatch(head, remote.address);
        write_response(first_out_, head.http11, reply.status, reply.content_type, reply.body,
                       head.keep_alive, head.method == "HEAD");
        // A reply that ends the connection waits for the FIN (MSG_MORE) to leave with it: one
        // segment instead of two.
        const int flags = MSG_NOSIGNAL | (head.keep_alive ? 0 : MSG_MORE);
        const ssize_t sent = ::send(fd, first_out_.data(), first_out_.size(), flags);
        if (sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            ::close(fd);
            metrics_.connection_closed();
            return;
        }
        const std::size_t done = sent > 0 ? static_cast<std::size_t>(sent) : 0;
        if (done == first_out_.size() && !head.keep_alive) {
            ::close(fd);
            metrics_.connection_closed();
            return;
        }
        first_out_.erase(0, done);
        consumed = head.size;
    }
    // The rest is the coroutine's, starting from what is here.
    tcp::socket socket(acceptor_.get_executor());
    boost::system::error_code ec;
    socket.assign(address.ss_family == AF_INET6 ? tcp::v6() : tcp::v4(), fd, ec);
    if (ec) {
        ::close(fd);
        metrics_.connection_closed();
        return;
    }
    asio::co_spawn(acceptor_.get_executor(),
                   serve(std::move(socket), remote.address,
                         first_in_.substr(consumed, have - consumed), std::move(first_out_)),
                   [](std::exception_ptr e) { log_exception(e, "http connection"); });
    first_out_ = std::string();
}

void HttpFrontend::write_response(std::string& out, bool http11, unsigned status,
                                  std::string_view content_type, std::string_view body,
                                  bool keep_alive, bool head_only) {
    out += http11 ? "HTTP/1.1 " : "HTTP/1.0 ";
    out += std::to_string(status);
    out += ' ';
    out += reason_phrase(status);
    out += "\r\nContent-Type: ";
    out += content_type;
    out += "\r\nContent-Length: ";
    out += std::to_string(body.size());
    if (http11 && !keep_alive)
        out += "\r\nConnection: close";
    else if (!http11 && keep_alive)
        out += "\r\nConnection: keep-alive";
    out += "\r\n\r\n";
    if (!head_only)
        out += body;
}

asio::awaitable<void> HttpFrontend::serve(tcp::socket socket, IpAddress peer, std::string input,
                                          std::string output) {
    ConnectionClosed guard(metrics_);
    Connection c(std::move(socket));
    Registration registration(*this, c);
    const auto timeout = std::chrono::seconds(config_.request_timeout);
    const std::size_t limit = config_.max_header_bytes;
    std::string in = std::move(input);
    std::size_t have = in.size();  // bytes in `in`
    in.resize(std::max(limit, have));
    std::string out = std::move(output);
    boost::system::error_code ec;
    if (!out.empty()) {
        c.deadline = std::chrono::steady_clock::now() + timeout;
        auto [write_ec, written] = co_await asio::async_write(c.socket, asio::buffer(out), k_use_tuple);
        (void)written;
        if (write_ec)
            co_return;
    }

    // Says what was wrong once, then closes.
    auto refuse = [&](unsigned status, std::string body) -> asio::awaitable<void> {
        metrics_.error(ErrorKind::http_parse);
        out.clear();
        write_response(out, true, status, "text/plain", body, false, false);
        c.deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        co_await asio::async_write(c.socket, asio::buffer(out), k_use_tuple);
        c.socket.shutdown(tcp::socket::shutdown_send, ec);
    };

    for (;;) {
        c.deadline = std::chrono::steady_clock::now() + timeout;
        HttpRequestHead head;
        HeadResult parsed;
        std::size_t scanned = 0;
        for (;;) {
            if (has_blank_line(in, scanned, have)) {
                parsed = parse_request_head({in.data(), have}, head);
                if (parsed.status != HeadStatus::incomplete)
                    break;
            }
            scanned = have >= 3 ? have - 3 : 0;
            if (have == limit) {
                co_await refuse(431, "bad request: header fields too large\n");
                co_return;
            }
            auto [read_ec, n] = co_await c.socket.async_read_some(
                asio::buffer(in.data() + have, limit - have), k_use_tuple);
            if (read_ec) {
                // A client closing between requests is the normal end of keep-alive.
                if (c.timed_out)
                    metrics_.error(ErrorKind::timeout);
                co_return;
            }
            have += n;
        }
        if (parsed.status == HeadStatus::malformed) {
            co_await refuse(400, "bad request: " + std::string(parsed.error) + "\n");
            co_return;
        }
        if (head.content_length > config_.max_body_bytes) {
            co_await refuse(413, "bad request: body limit exceeded\n");
            co_return;
        }
        // The body (trackers take none) is read and dropped.
        const std::size_t body = static_cast<std::size_t>(head.content_length);
        while (have - head.size < body) {
            const std::size_t keep = head.size + body;
            if (keep > in.size())
                in.resize(keep);
            auto [read_ec, n] = co_await c.socket.async_read_some(
                asio::buffer(in.data() + have, keep - have), k_use_tuple);
            if (read_ec) {
                if (c.timed_out)
                    metrics_.error(ErrorKind::timeout);
                co_return;
            }
            have += n;
        }

        const bool get = head.method == "GET";
        const bool head_only = head.method == "HEAD";
        HttpReply reply;
        if (!get && !head_only) {
            reply = HttpReply{405, "text/plain", "only GET\n"};
            metrics_.error(ErrorKind::bad_request);
        } else {
            if (router_.answers_later()) {
                HttpRequestView view;
                view.target = head.target;
                view.peer = peer;
                view.x_real_ip = head.x_real_ip;
                view.x_forwarded_for = head.x_forwarded_for;
                try {
                    reply = co_await router_.handle_later(view);
                } catch (const std::exception& e) {
                    metrics_.error(ErrorKind::internal);
                    log_event(LogLevel::error, "internal_error", {{"what", e.what()}});
                    reply = HttpReply{500, "text/plain", "internal error\n"};
                }
                log_request(peer, head.target, reply.status);
            } else {
                reply = dispatch(head, peer);
            }
        }
        out.clear();
        write_response(out, head.http11, reply.status, reply.content_type, reply.body,
                       head.keep_alive, head_only);
        const bool keep_alive = head.keep_alive;
        // What follows this request (a pipelined next one) moves to the front.
        const std::size_t consumed = head.size + body;
        std::memmove(in.data(), in.data() + consumed, have - consumed);
        have -= consumed;
        if (in.size() > limit && have <= limit)
            in.resize(limit);
        auto [write_ec, written] = co_await asio::async_write(c.socket, asio::buffer(out), k_use_tuple);
        (void)written;
        if (write_ec || !keep_alive) {
            if (write_ec && c.timed_out)
                metrics_.error(ErrorKind::timeout);
            break;
        }
    }
    c.socket.close(ec);
}

}  // namespace shoal::tracker
