#include "tracker/redis_connection.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/ssl.hpp>

#include <hiredis/hiredis.h>

#include <optional>

namespace shoal::tracker {
namespace {

using Socket = asio::generic::stream_protocol::socket;
using GenericEndpoint = asio::generic::stream_protocol::endpoint;

// A reply larger than this is not one our scripts send: the peer is not a sane Redis.
constexpr std::size_t k_max_reply_bytes = 16u << 20;
constexpr std::size_t k_read_chunk = 16384;
constexpr auto k_max_backoff = std::chrono::milliseconds(2000);

std::string reply_text(const redisReply* r) {
    if (r == nullptr)
        return "no answer";
    if (r->type == REDIS_REPLY_ERROR || r->type == REDIS_REPLY_STATUS ||
        r->type == REDIS_REPLY_STRING) {
        return std::string(r->str, r->len);
    }
    return "unexpected reply type " + std::to_string(r->type);
}

}  // namespace

class RedisConnection::Stream {
  public:
    explicit Stream(asio::any_io_executor ex) : socket_(ex) {}

    Socket& socket() { return tls_ ? tls_->next_layer() : socket_; }
    void use_tls(asio::ssl::context& context) { tls_.emplace(std::move(socket_), context); }
    asio::ssl::stream<Socket>* tls() { return tls_ ? &*tls_ : nullptr; }

    template <class Buffers, class Handler>
    void async_read_some(const Buffers& b, Handler&& h) {
        if (tls_)
            tls_->async_read_some(b, std::forward<Handler>(h));
        else
            socket_.async_read_some(b, std::forward<Handler>(h));
    }
    template <class Buffers, class Handler>
    void async_write(const Buffers& b, Handler&& h) {
        if (tls_)
            asio::async_write(*tls_, b, std::forward<Handler>(h));
        else
            asio::async_write(socket_, b, std::forward<Handler>(h));
    }
    void close() {
        boost::system::error_code ignored;
        socket().close(ignored);
    }

  private:
    Socket socket_;
    std::optional<asio::ssl::stream<Socket>> tls_;
};

RedisConnection::RedisConnection(asio::any_io_executor executor, RedisOptions options,
                                 StateListener listener)
    : executor_(executor),
      options_(std::move(options)),
      listener_(std::move(listener)),
      reader_(nullptr, redisReaderFree),
      in_(k_read_chunk),
      reconnect_timer_(executor),
      watchdog_(executor) {}

RedisConnection::~RedisConnection() {
    // Callbacks may point at objects already gone; they are dropped, never called.
    pending_.clear();
}

void RedisConnection::start() {
    if (state_ != State::stopped)
        return;
    state_ = State::down;
    backoff_ = std::chrono::milliseconds(0);
    schedule_reconnect();
    watch();
}

void RedisConnection::stop() {
    state_ = State::stopped;
    ++generation_;
    if (stream_)
        stream_->close();
    pending_.clear();
    reconnect_timer_.cancel();
    watchdog_.cancel();
}

void RedisConnection::set_state(State state, const std::string& reason) {
    const bool was_up = state_ == State::up;
    state_ = state;
    const bool is_up = state_ == State::up;
    if (listener_ && (was_up != is_up || state == State::down))
        listener_(is_up, reason);
}

void RedisConnection::schedule_reconnect() {
    reconnect_timer_.expires_after(backoff_);
    const std::uint64_t generation = ++generation_;
    reconnect_timer_.async_wait([this, generation](const boost::system::error_code& ec) {
        if (ec || generation != generation_ || state_ == State::stopped)
            return;
        state_ = State::connecting;
        asio::co_spawn(executor_, connect(generation), asio::detached);
    });
    backoff_ = std::min(k_max_backoff, std::max(std::chrono::milliseconds(100), backoff_ * 2));
}

// Every quarter second: a command unanswered for longer than the timeout, or a connect
// that takes that long, means the connection is broken.
void RedisConnection::watch() {
    watchdog_.expires_after(std::chrono::milliseconds(250));
    watchdog_.async_wait([this](const boost::system::error_code& ec) {
        if (ec || state_ == State::stopped)
            return;
        const auto now = std::chrono::steady_clock::now();
        if (!pending_.empty() && now - pending_.front().sent > options_.timeout) {
            fail("no answer within " + std::to_string(options_.timeout.count()) + " ms");
        }
        watch();
    });
}

asio::awaitable<void> RedisConnection::connect(std::uint64_t generation) {
    const auto stream = std::make_shared<Stream>(executor_);
    Stream* raw = stream.get();
    stream_ = stream;
    asio::steady_timer guard(executor_);
    guard.expires_after(options_.timeout);
    // A connect or TLS handshake that outlives the timeout is abandoned.
    guard.async_wait([stream, this, generation](const boost::system::error_code& ec) {
        if (!ec && generation == generation_ && state_ == State::connecting)
            stream->close();
    });
    boost::system::error_code ec;
    const RedisUrl& url = options_.url;
    if (url.kind == RedisUrl::Kind::unix_socket) {
        const asio::local::stream_protocol::endpoint local(url.path);
        std::tie(ec) = co_await raw->socket().async_connect(GenericEndpoint(local), k_use_tuple);
    } else {
        tcp::resolver resolver(executor_);
        auto [resolve_ec, results] =
            co_await resolver.async_resolve(url.host, std::to_string(url.port), k_use_tuple);
        ec = resolve_ec;
        if (!ec) {
            ec = asio::error::host_not_found;
            for (const auto& entry : results) {
                if (generation != generation_)
                    co_return;
                raw->socket().close(ec);
                std::tie(ec) = co_await raw->socket().async_connect(
                    GenericEndpoint(entry.endpoint()), k_use_tuple);
                if (!ec)
                    break;
            }
        }
        if (!ec) {
            boost::system::error_code ignored;
            raw->socket().set_option(tcp::no_delay(true), ignored);
        }
        if (!ec && url.kind == RedisUrl::Kind::tls) {
            if (!tls_context_) {
                tls_context_ = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_client);
                tls_context_->set_default_verify_paths();
                tls_context_->set_verify_mode(asio::ssl::verify_peer);
            }
            raw->use_tls(*tls_context_);
            auto* tls = raw->tls();
            SSL_set_tlsext_host_name(tls->native_handle(), url.host.c_str());
            tls->set_verify_callback(asio::ssl::host_name_verification(url.host));
            std::tie(ec) = co_await tls->async_handshake(asio::ssl::stream_base::client, k_use_tuple);
        }
    }
    guard.cancel();
    if (generation != generation_ || state_ != State::connecting)
        co_return;
    if (ec) {
        fail("cannot connect: " + ec.message());
        co_return;
    }
    reader_.reset(redisReaderCreate());
    unanswered_bytes_ = 0;
    out_.clear();
    write_busy_ = false;
    read();

    // The greeting: credentials, database, scripts; the connection is up when all succeed.
    auto expect_ok = [this](std::string what) {
        return [this, what = std::move(what)](const redisReply* r) {
            if (r == nullptr)
                return;
            if (r->type == REDIS_REPLY_ERROR)
                fail(what + " refused: " + reply_text(r));
        };
    };
    if (!url.password.empty()) {
        if (url.username.empty()) {
            const std::string_view args[] = {"AUTH", url.password};
            enqueue(args, expect_ok("AUTH"));
        } else {
            const std::string_view args[] = {"AUTH", url.username, url.password};
            enqueue(args, expect_ok("AUTH"));
        }
    }
    const std::string db = std::to_string(url.database);
    if (url.database != 0) {
        const std::string_view args[] = {"SELECT", db};
        enqueue(args, expect_ok("SELECT"));
    }
    for (const auto& script : options_.scripts) {
        const std::string_view args[] = {"SCRIPT", "LOAD", script};
        enqueue(args, expect_ok("SCRIPT LOAD"));
    }
    const std::string_view ping[] = {"PING"};
    enqueue(ping, [this, generation](const redisReply* r) {
        if (r == nullptr || generation != generation_ || state_ != State::connecting)
            return;
        if (r->type == REDIS_REPLY_ERROR) {
            fail("PING refused: " + reply_text(r));
            return;
        }
        backoff_ = std::chrono::milliseconds(100);
        set_state(State::up, "");
    });
    flush();
}

RedisConnection::Submit RedisConnection::command(std::span<const std::string_view> args,
                                                 Callback callback) {
    if (state_ != State::up)
        return Submit::unavailable;
    if (pending_.size() >= options_.max_pending)
        return Submit::busy;
    enqueue(args, std::move(callback));
    flush();
    return Submit::queued;
}

void RedisConnection::enqueue(std::span<const std::string_view> args, Callback callback) {
    std::vector<const char*> argv;
    std::vector<std::size_t> lengths;
    argv.reserve(args.size());
    lengths.reserve(args.size());
    for (const auto& a : args) {
        argv.push_back(a.data());
        lengths.push_back(a.size());
    }
    char* formatted = nullptr;
    const int n = redisFormatCommandArgv(&formatted, static_cast<int>(args.size()), argv.data(),
                                         lengths.data());
    if (n < 0 || formatted == nullptr)
        throw std::bad_alloc();
    out_.append(formatted, static_cast<std::size_t>(n));
    redisFreeCommand(formatted);
    pending_.push_back({std::move(callback), std::chrono::steady_clock::now()});
}

void RedisConnection::flush() {
    if (write_busy_ || out_.empty() || !stream_ ||
        (state_ != State::up && state_ != State::connecting)) {
        return;
    }
    write_busy_ = true;
    writing_.swap(out_);
    out_.clear();
    const std::uint64_t generation = generation_;
    stream_->async_write(asio::buffer(writing_),
                         [this, generation, keep = stream_](const boost::system::error_code& ec,
                                                            std::size_t) {
                             if (generation != generation_)
                                 return;
                             write_busy_ = false;
                             writing_.clear();
                             if (ec) {
                                 fail("write: " + ec.message());
                                 return;
                             }
                             flush();
                         });
}

void RedisConnection::read() {
    const std::uint64_t generation = generation_;
    stream_->async_read_some(asio::buffer(in_), [this, generation, keep = stream_](
                                                    const boost::system::error_code& ec,
                                                    std::size_t n) {
        if (generation != generation_)
            return;
        if (ec) {
            fail(ec == asio::error::eof ? "closed by the server" : "read: " + ec.message());
            return;
        }
        if (deliver(n) && generation == generation_)
            read();
    });
}

// Feeds what arrived to the parser and answers every complete reply; false after a failure.
bool RedisConnection::deliver(std::size_t bytes) {
    const std::uint64_t generation = generation_;
    if (redisReaderFeed(reader_.get(), in_.data(), bytes) != REDIS_OK) {
        fail("reply parser out of memory");
        return false;
    }
    unanswered_bytes_ += bytes;
    for (;;) {
        void* raw = nullptr;
        if (redisReaderGetReply(reader_.get(), &raw) != REDIS_OK) {
            fail("malformed reply from the server");
            return false;
        }
        if (raw == nullptr)
            break;
        std::unique_ptr<redisReply, void (*)(void*)> reply(static_cast<redisReply*>(raw),
                                                           freeReplyObject);
        unanswered_bytes_ = 0;
        if (pending_.empty()) {
            fail("a reply nobody asked for");
            return false;
        }
        Callback callback = std::move(pending_.front().callback);
        pending_.pop_front();
        callback(reply.get());
        if (generation != generation_)
            return false;  // the callback failed the connection
    }
    if (unanswered_bytes_ > k_max_reply_bytes) {
        fail("a reply over " + std::to_string(k_max_reply_bytes) + " bytes");
        return false;
    }
    return true;
}

void RedisConnection::fail(const std::string& reason) {
    if (state_ == State::stopped || state_ == State::down)
        return;
    ++generation_;
    if (stream_)
        stream_->close();
    write_busy_ = false;
    out_.clear();
    writing_.clear();
    auto failed = std::move(pending_);
    pending_.clear();
    set_state(State::down, reason);
    schedule_reconnect();
    for (auto& p : failed)
        p.callback(nullptr);
}

}  // namespace shoal::tracker
