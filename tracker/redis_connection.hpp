#pragma once
// One pipelined connection to Redis, owned by one tracker thread and run on its io_context.
// Commands are written as they come and answered in order; each carries a callback. On every
// (re)connect it authenticates, selects the database and loads the scripts it was given;
// while it is down, commands are refused at once, and it reconnects by itself with backoff.
// The wire format (requests and the reply parser) is hiredis's.

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ssl/context.hpp>

#include "tracker/net.hpp"
#include "tracker/redis_url.hpp"

struct redisReply;
struct redisReader;

namespace shoal::tracker {

struct RedisOptions {
    RedisUrl url;
    std::size_t max_pending = 1024;  // commands sent and not yet answered, at most
    std::chrono::milliseconds timeout{2000};
    std::vector<std::string> scripts;  // loaded with SCRIPT LOAD after each connect
};

class RedisConnection {
  public:
    // nullptr when the connection failed before the answer came.
    using Callback = std::function<void(const redisReply* reply)>;
    // Called on every change: up, or down with the reason.
    using StateListener = std::function<void(bool up, const std::string& reason)>;

    enum class Submit { queued, unavailable, busy };

    RedisConnection(asio::any_io_executor executor, RedisOptions options, StateListener listener);
    ~RedisConnection();
    RedisConnection(const RedisConnection&) = delete;
    RedisConnection& operator=(const RedisConnection&) = delete;

    void start();
    // Closes the connection; pending callbacks are dropped without being called.
    void stop();

    // Queues a command; the callback is called only when this returns `queued`.
    Submit command(std::span<const std::string_view> args, Callback callback);

    bool up() const { return state_ == State::up; }
    std::size_t pending() const { return pending_.size(); }

  private:
    enum class State { stopped, connecting, up, down };
    struct Pending {
        Callback callback;
        std::chrono::steady_clock::time_point sent;
    };
    class Stream;

    asio::awaitable<void> connect(std::uint64_t generation);
    void enqueue(std::span<const std::string_view> args, Callback callback);
    void flush();
    void read();
    bool deliver(std::size_t bytes);
    void fail(const std::string& reason);
    void schedule_reconnect();
    void watch();
    void set_state(State state, const std::string& reason);

    asio::any_io_executor executor_;
    RedisOptions options_;
    StateListener listener_;
    State state_ = State::stopped;
    std::uint64_t generation_ = 0;  // bumped on every connect and failure
    std::shared_ptr<Stream> stream_;  // shared with its operations, which may outlive it here
    std::unique_ptr<redisReader, void (*)(redisReader*)> reader_;
    std::deque<Pending> pending_;
    std::string out_;      // formatted commands waiting for the socket
    std::string writing_;  // what the write in progress sends
    bool write_busy_ = false;
    std::vector<char> in_;
    std::size_t unanswered_bytes_ = 0;  // read since the last complete reply
    std::unique_ptr<asio::ssl::context> tls_context_;  // made with the first rediss:// connect
    asio::steady_timer reconnect_timer_;
    asio::steady_timer watchdog_;
    std::chrono::milliseconds backoff_{100};
};

}  // namespace shoal::tracker
