#include "tracker/http_frontend.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>

#include "tracker/address.hpp"
#include "tracker/log.hpp"

namespace shoal::tracker {
namespace beast = boost::beast;
namespace http = beast::http;

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

http::status status_for(const beast::error_code& ec) {
    if (ec == http::error::header_limit)
        return http::status::request_header_fields_too_large;
    if (ec == http::error::body_limit)
        return http::status::payload_too_large;
    return http::status::bad_request;
}

// Keeps the open-connection gauge right however the connection ends.
struct ConnectionGuard {
    Metrics& metrics;
    explicit ConnectionGuard(Metrics& m) : metrics(m) { metrics.connection_opened(); }
    ~ConnectionGuard() { metrics.connection_closed(); }
    ConnectionGuard(const ConnectionGuard&) = delete;
    ConnectionGuard& operator=(const ConnectionGuard&) = delete;
};

}  // namespace

HttpFrontend::HttpFrontend(tcp::acceptor acceptor, HttpRouter& router, Metrics& metrics,
                           const Config& config)
    : acceptor_(std::move(acceptor)), router_(router), metrics_(metrics), config_(config) {}

void HttpFrontend::start() {
    asio::co_spawn(acceptor_.get_executor(), accept_loop(),
                   [](std::exception_ptr e) { log_exception(e, "http accept"); });
}

void HttpFrontend::stop() {
    boost::system::error_code ec;
    acceptor_.close(ec);
}

asio::awaitable<void> HttpFrontend::accept_loop() {
    asio::steady_timer backoff(acceptor_.get_executor());
    for (;;) {
        tcp::endpoint remote;  // from accept itself: saves a getpeername per connection
        auto [ec, socket] = co_await acceptor_.async_accept(remote, k_use_tuple);
        if (ec) {
            if (ec == asio::error::operation_aborted || !acceptor_.is_open())
                co_return;
            // Out of descriptors or memory: wait instead of spinning; others keep being served.
            log_event(LogLevel::warn, "accept_failed", {{"error", ec.message()}});
            backoff.expires_after(std::chrono::milliseconds(100));
            co_await backoff.async_wait(k_use_tuple);
            continue;
        }
        if (metrics_.open_connections() >= static_cast<std::int64_t>(config_.max_connections)) {
            metrics_.error(ErrorKind::connection_limit);
            boost::system::error_code ignored;
            socket.close(ignored);
            continue;
        }
        boost::system::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        asio::co_spawn(acceptor_.get_executor(), serve(std::move(socket), remote),
                       [](std::exception_ptr e) { log_exception(e, "http connection"); });
    }
}

asio::awaitable<void> HttpFrontend::serve(tcp::socket socket, tcp::endpoint remote) {
    ConnectionGuard guard(metrics_);
    boost::system::error_code ec;
    const IpAddress peer = from_asio(remote.address());
    beast::tcp_stream stream(std::move(socket));
    beast::flat_buffer buffer(config_.max_header_bytes + config_.max_body_bytes + 4096);
    const auto timeout = std::chrono::seconds(config_.request_timeout);

    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.header_limit(config_.max_header_bytes);
        parser.body_limit(config_.max_body_bytes);
        stream.expires_after(timeout);
        auto [read_ec, read_n] = co_await http::async_read(stream, buffer, parser, k_use_tuple);
        (void)read_n;
        if (read_ec) {
            if (read_ec == beast::error::timeout) {
                metrics_.error(ErrorKind::timeout);
                break;
            }
            // A client closing between requests is the normal end of keep-alive; a socket
            // error leaves nobody to answer.
            const bool protocol_error =
                read_ec.category() == make_error_code(http::error::bad_target).category();
            if (read_ec == http::error::end_of_stream || !protocol_error || !parser.got_some()) {
                break;
            }
            // Malformed or over a limit: say so once, then close.
            metrics_.error(ErrorKind::http_parse);
            http::response<http::string_body> res{status_for(read_ec), 11};
            res.set(http::field::content_type, "text/plain");
            res.body() = "bad request: " + read_ec.message() + "\n";
            res.keep_alive(false);
            res.prepare_payload();
            stream.expires_after(std::chrono::seconds(5));
            co_await http::async_write(stream, res, k_use_tuple);
            break;
        }
        const auto& req = parser.get();
        http::response<http::string_body> res;
        res.version(req.version());
        if (req.method() != http::verb::get && req.method() != http::verb::head) {
            res.result(http::status::method_not_allowed);
            res.set(http::field::content_type, "text/plain");
            res.body() = "only GET\n";
            metrics_.error(ErrorKind::bad_request);
        } else {
            HttpRequestView view;
            view.target = {req.target().data(), req.target().size()};
            view.peer = peer;
            const auto real_ip = req["X-Real-IP"];
            const auto forwarded = req["X-Forwarded-For"];
            view.x_real_ip = {real_ip.data(), real_ip.size()};
            view.x_forwarded_for = {forwarded.data(), forwarded.size()};
            HttpReply reply;
            try {
                if (router_.answers_later())
                    reply = co_await router_.handle_later(view);
                else
                    reply = router_.handle(view);
            } catch (const std::exception& e) {
                metrics_.error(ErrorKind::internal);
                log_event(LogLevel::error, "internal_error", {{"what", e.what()}});
                reply = HttpReply{500, "text/plain", "internal error\n"};
            }
            if (config_.log_requests) {
                log_event(LogLevel::info, "http_request",
                          {{"client", format_ip(peer)},
                           {"target", std::string(view.target.substr(0, 256))},
                           {"status", std::to_string(reply.status)}});
            }
            res.result(reply.status);
            res.set(http::field::content_type,
                    beast::string_view(reply.content_type.data(), reply.content_type.size()));
            res.body() = std::move(reply.body);
        }
        res.keep_alive(req.keep_alive());
        res.prepare_payload();
        if (req.method() == http::verb::head) {
            // Same headers as GET (Content-Length included), no body.
            res.body().clear();
        }
        stream.expires_after(timeout);
        auto [write_ec, write_n] = co_await http::async_write(stream, res, k_use_tuple);
        (void)write_n;
        if (write_ec || !res.keep_alive())
            break;
    }
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    stream.socket().close(ec);
}

}  // namespace shoal::tracker
