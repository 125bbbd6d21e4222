#include "daemon/rpc_http.hpp"

#include <boost/beast/core.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/http.hpp>

#include <list>

#include "daemon/web_assets.hpp"

namespace beast = boost::beast;
namespace http = beast::http;
using boost::asio::ip::tcp;

namespace shoal::daemon {

class Connection;

struct RpcServer::State {
    State(boost::asio::io_context& io, RpcAccess a, Handler h, HttpLimits l)
        : acceptor(io), accept_pause(io), access(std::move(a)), handler(std::move(h)), limits(l) {}
    tcp::acceptor acceptor;
    // After a failed accept (out of file descriptors, say), before the next one.
    boost::asio::steady_timer accept_pause;
    RpcAccess access;
    Handler handler;
    HttpLimits limits;
    std::list<std::weak_ptr<Connection>> connections;
    bool stopped = false;
};

namespace {

// Also with a trailing slash, as transmission-remote asks.
constexpr std::string_view k_rpc_path = "/transmission/rpc";

http::response<http::string_body> make_response(unsigned version, http::status status, std::string body,
                                                std::string_view content_type) {
    http::response<http::string_body> res{status, version};
    res.set(http::field::server, "shoald");
    res.set(http::field::content_type, content_type);
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

std::string_view path_of(std::string_view target) { return target.substr(0, target.find('?')); }

bool is_rpc_path(std::string_view path) { return path == k_rpc_path || path == std::string(k_rpc_path) + "/"; }

}  // namespace

class Connection : public std::enable_shared_from_this<Connection> {
public:
    Connection(tcp::socket socket, std::shared_ptr<RpcServer::State> server)
        : stream_(std::move(socket)), server_(std::move(server)) {}

    void start() { read_header(); }
    void close() {
        beast::error_code ec;
        stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
        stream_.close();
    }

private:
    void read_header() {
        parser_.emplace();
        parser_->header_limit(static_cast<std::uint32_t>(server_->limits.max_header));
        parser_->body_limit(server_->limits.max_body);
        stream_.expires_after(server_->limits.request_timeout);
        http::async_read_header(stream_, buffer_, *parser_,
                                [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                    self->on_header(ec);
                                });
    }

    void on_header(beast::error_code ec) {
        // Told before closing; what the client sends on is not read.
        if (ec == http::error::body_limit) return fail(http::status::payload_too_large, "the body is too large");
        if (ec == http::error::header_limit) {
            return fail(http::status::request_header_fields_too_large, "the header is too large");
        }
        if (ec) return close();
        const auto& req = parser_->get();
        boost::system::error_code endpoint_ec;
        const auto peer = stream_.socket().remote_endpoint(endpoint_ec);
        if (endpoint_ec) return close();
        auto header = [&](http::field f) {
            auto it = req.find(f);
            return it == req.end() ? std::string_view{} : std::string_view(it->value());
        };
        auto session_id = req.find("X-Transmission-Session-Id");
        refusal_ = check_access(server_->access,
                                {peer.address(), header(http::field::host), header(http::field::authorization),
                                 session_id == req.end() ? std::string_view{} : std::string_view(session_id->value()),
                                 is_rpc_path(path_of(req.target()))});
        const bool expects_continue = beast::iequals(header(http::field::expect), "100-continue");
        if (refusal_) {
            // The client waits to be told to send its body; it is not sent, so it is not read.
            const auto length = parser_->content_length();
            if (expects_continue || !length || *length > server_->limits.max_refused_body) {
                return answer(false);
            }
        } else if (expects_continue) {
            auto res = std::make_shared<http::response<http::empty_body>>(http::status::continue_, req.version());
            http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code ec, std::size_t) {
                if (ec) return self->close();
                self->read_body();
            });
            return;
        }
        read_body();
    }

    void read_body() {
        http::async_read(stream_, buffer_, *parser_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
            if (ec == http::error::body_limit) return self->fail(http::status::payload_too_large, "the body is too large");
            if (ec) return self->close();
            self->answer(self->parser_->keep_alive());
        });
    }

    void fail(http::status status, const std::string& message) {
        send(make_response(11, status, message + "\n", "text/plain; charset=UTF-8"), false);
    }

    void answer(bool keep_alive) {
        const auto& req = parser_->get();
        if (refusal_) {
            auto res = make_response(req.version(), static_cast<http::status>(refusal_->status),
                                     refusal_->message + "\n", "text/plain; charset=UTF-8");
            for (const auto& [name, value] : refusal_->headers) res.set(name, value);
            return send(std::move(res), keep_alive);
        }
        const std::string_view path = path_of(req.target());
        if (is_web_path(path)) return send(web_response(req), keep_alive);
        if (!is_rpc_path(path)) {
            return send(make_response(req.version(), http::status::not_found, "no such page\n",
                                      "text/plain; charset=UTF-8"),
                        keep_alive);
        }
        if (req.method() != http::verb::post) {
            auto res = make_response(req.version(), http::status::method_not_allowed, "use POST\n",
                                     "text/plain; charset=UTF-8");
            res.set(http::field::allow, "POST");
            return send(std::move(res), keep_alive);
        }
        server_->handler(req.body(), [self = shared_from_this(), version = req.version(), keep_alive](std::string text) {
            if (self->server_->stopped) return self->close();
            self->send(make_response(version, http::status::ok, std::move(text), "application/json; charset=UTF-8"),
                       keep_alive);
        });
    }

    void send(http::response<http::string_body> res, bool keep_alive) {
        res.keep_alive(keep_alive);
        auto shared = std::make_shared<http::response<http::string_body>>(std::move(res));
        stream_.expires_after(server_->limits.request_timeout);
        http::async_write(stream_, *shared,
                          [self = shared_from_this(), shared, keep_alive](beast::error_code ec, std::size_t) {
                              if (ec || !keep_alive || self->server_->stopped) return self->close();
                              self->refusal_.reset();
                              self->read_header();
                          });
    }

    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    std::optional<Refusal> refusal_;
    std::shared_ptr<RpcServer::State> server_;
};

namespace {

// A failed accept waits this long before the next: the error (no file descriptor left, say)
// would otherwise repeat at once, and forever.
constexpr auto k_accept_pause = std::chrono::milliseconds(200);

void accept(const std::shared_ptr<RpcServer::State>& state) {
    state->acceptor.async_accept([state](beast::error_code ec, tcp::socket socket) {
        if (state->stopped) return;
        if (ec) {
            state->accept_pause.expires_after(k_accept_pause);
            state->accept_pause.async_wait([state](beast::error_code wait_ec) {
                if (!wait_ec && !state->stopped) accept(state);
            });
            return;
        }
        state->connections.remove_if([](const std::weak_ptr<Connection>& c) { return c.expired(); });
        if (state->connections.size() >= state->limits.max_connections) {
            beast::error_code ignored;
            socket.close(ignored);
        } else {
            auto connection = std::make_shared<Connection>(std::move(socket), state);
            state->connections.push_back(connection);
            connection->start();
        }
        accept(state);
    });
}

}  // namespace

RpcServer::RpcServer(boost::asio::io_context& io, const tcp::endpoint& bind, RpcAccess access, Handler handler,
                     HttpLimits limits)
    : state_(std::make_shared<State>(io, std::move(access), std::move(handler), limits)) {
    auto& acceptor = state_->acceptor;
    acceptor.open(bind.protocol());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    if (bind.address().is_v6()) acceptor.set_option(boost::asio::ip::v6_only(!bind.address().is_unspecified()));
    acceptor.bind(bind);
    acceptor.listen();
    accept(state_);
}

RpcServer::~RpcServer() { stop(); }

void RpcServer::set_access(RpcAccess access) {
    access.session_id = state_->access.session_id;
    state_->access = std::move(access);
}

tcp::endpoint RpcServer::local_endpoint() const { return state_->acceptor.local_endpoint(); }

void RpcServer::stop() {
    if (state_->stopped) return;
    state_->stopped = true;
    beast::error_code ec;
    state_->acceptor.close(ec);
    state_->accept_pause.cancel();
    for (auto& weak : state_->connections) {
        if (auto c = weak.lock()) c->close();
    }
    state_->connections.clear();
}

}  // namespace shoal::daemon
