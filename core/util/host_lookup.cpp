// GCC 12 at -O3 misreads Asio's recycled coroutine frames as freeing a non-heap pointer
// (-Wfree-nonheap-object, a false positive); the frames come from operator new.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wfree-nonheap-object"
#endif

#include "util/host_lookup.hpp"

#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <system_error>
#include <thread>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace shoal {
namespace {

namespace asio = boost::asio;

constexpr auto k_use = asio::as_tuple(asio::use_awaitable);
// Lookups under way at once, for the whole process; more wait their turn.
constexpr int k_max_threads = 8;

// One lookup, shared by the coroutine awaiting it and the pool thread doing it.
struct Lookup {
    std::string host;
    std::mutex mutex;
    // While a coroutine waits: its executor and the timer it waits on (used on that
    // executor only). Both are cleared, on that executor, when the coroutine stops waiting,
    // so a late answer never touches an io_context that may be gone.
    std::optional<asio::any_io_executor> waiter;
    asio::steady_timer* timer = nullptr;
    bool done = false;
    std::string error;
    std::vector<asio::ip::address> addresses;
};

// Hands the answer to the waiting coroutine, if one still waits.
void deliver(const std::shared_ptr<Lookup>& lookup, std::vector<asio::ip::address> addresses,
             std::string error) {
    std::lock_guard lock(lookup->mutex);
    lookup->done = true;
    lookup->addresses = std::move(addresses);
    lookup->error = std::move(error);
    if (!lookup->waiter)
        return;
    asio::post(*lookup->waiter, [lookup] {
        std::lock_guard wake_lock(lookup->mutex);
        if (lookup->timer)
            lookup->timer->cancel();
    });
}

void run_lookup(const std::shared_ptr<Lookup>& lookup) {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;  // one entry per address
    addrinfo* list = nullptr;
    const int rc = ::getaddrinfo(lookup->host.c_str(), nullptr, &hints, &list);
    if (rc != 0) {
        const int saved_errno = errno;
        deliver(lookup, {},
                rc == EAI_SYSTEM ? std::generic_category().message(saved_errno)
                                 : std::string(::gai_strerror(rc)));
        return;
    }
    std::vector<asio::ip::address> found;
    for (const addrinfo* ai = list; ai; ai = ai->ai_next) {
        asio::ip::address address;
        if (ai->ai_family == AF_INET && ai->ai_addrlen >= sizeof(sockaddr_in)) {
            sockaddr_in sin;
            std::memcpy(&sin, ai->ai_addr, sizeof sin);
            asio::ip::address_v4::bytes_type bytes;
            std::memcpy(bytes.data(), &sin.sin_addr, bytes.size());
            address = asio::ip::address_v4(bytes);
        } else if (ai->ai_family == AF_INET6 && ai->ai_addrlen >= sizeof(sockaddr_in6)) {
            sockaddr_in6 sin6;
            std::memcpy(&sin6, ai->ai_addr, sizeof sin6);
            asio::ip::address_v6::bytes_type bytes;
            std::memcpy(bytes.data(), &sin6.sin6_addr, bytes.size());
            address = asio::ip::address_v6(bytes, sin6.sin6_scope_id);
        } else {
            continue;
        }
        if (std::find(found.begin(), found.end(), address) == found.end())
            found.push_back(address);
    }
    ::freeaddrinfo(list);
    std::string error = found.empty() ? "no address" : "";
    deliver(lookup, std::move(found), std::move(error));
}

// Detached threads that start when lookups queue up and end when the queue is empty.
// Nothing waits for them: a process may end with a lookup still hanging in one.
class LookupPool {
  public:
    void submit(std::shared_ptr<Lookup> lookup) {
        std::lock_guard lock(mutex_);
        queue_.push_back(std::move(lookup));
        if (threads_ >= k_max_threads)
            return;
        ++threads_;
        try {
            std::thread([this] { work(); }).detach();
        } catch (const std::system_error& e) {
            --threads_;
            if (threads_ > 0)
                return;
            for (auto& queued : queue_)
                deliver(queued, {}, std::string("cannot start a lookup: ") + e.what());
            queue_.clear();
        }
    }

  private:
    void work() {
        std::unique_lock lock(mutex_);
        while (!queue_.empty()) {
            auto lookup = std::move(queue_.front());
            queue_.pop_front();
            lock.unlock();
            bool wanted = false;
            {
                std::lock_guard lookup_lock(lookup->mutex);
                wanted = lookup->waiter.has_value();
            }
            // A lookup nobody waits for any more is not worth a thread.
            if (wanted)
                run_lookup(lookup);
            lookup.reset();
            lock.lock();
        }
        --threads_;
    }

    std::mutex mutex_;
    std::deque<std::shared_ptr<Lookup>> queue_;
    int threads_ = 0;
};

LookupPool& pool() {
    // Never destroyed: detached threads may still use it while the process exits.
    static LookupPool* instance = new LookupPool;
    return *instance;
}

// Ends the coroutine's claim on a lookup when it stops waiting, however it stops.
class StopWaiting {
  public:
    explicit StopWaiting(std::shared_ptr<Lookup> lookup) : lookup_(std::move(lookup)) {}
    StopWaiting(const StopWaiting&) = delete;
    StopWaiting& operator=(const StopWaiting&) = delete;
    ~StopWaiting() {
        std::lock_guard lock(lookup_->mutex);
        lookup_->waiter.reset();
        lookup_->timer = nullptr;
    }

  private:
    std::shared_ptr<Lookup> lookup_;
};

}  // namespace

asio::awaitable<Result<std::vector<asio::ip::address>>> lookup_host(
    std::string host, std::chrono::steady_clock::time_point deadline) {
    boost::system::error_code ec;
    const auto numeric = asio::ip::make_address(host, ec);
    if (!ec)
        co_return std::vector<asio::ip::address>{numeric};

    auto executor = co_await asio::this_coro::executor;
    asio::steady_timer timer(executor);
    timer.expires_at(deadline);
    auto lookup = std::make_shared<Lookup>();
    lookup->host = std::move(host);
    {
        std::lock_guard lock(lookup->mutex);
        lookup->waiter = executor;
        lookup->timer = &timer;
    }
    StopWaiting stop_waiting(lookup);
    pool().submit(lookup);
    // Ends when the answer arrives (the pool cancels the timer), at the deadline, or when
    // this coroutine is cancelled.
    auto [wait_ec] = co_await timer.async_wait(k_use);

    bool done = false;
    std::vector<asio::ip::address> addresses;
    std::string error;
    {
        std::lock_guard lock(lookup->mutex);
        done = lookup->done;
        addresses = std::move(lookup->addresses);
        error = std::move(lookup->error);
    }
    if (!done)
        co_return wait_ec == asio::error::operation_aborted
            ? make_error(ErrorCode::cancelled, "cancelled")
            : make_error(ErrorCode::timeout, "timed out");
    if (!error.empty())
        co_return make_error(ErrorCode::not_found, std::move(error));
    co_return addresses;
}

}  // namespace shoal
