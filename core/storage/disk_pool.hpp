#pragma once
// Threads for disk reads, writes and hashing, so none of it runs on the network thread.

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace shoal {

class DiskPool {
public:
    explicit DiskPool(unsigned threads);
    ~DiskPool();  // finishes queued jobs, then joins
    DiskPool(const DiskPool&) = delete;
    DiskPool& operator=(const DiskPool&) = delete;

    // Jobs must not throw; they post their results back to the network thread themselves.
    void post(std::function<void()> job);
    std::size_t queued() const;

private:
    void run();

    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::function<void()>> jobs_;
    bool stopping_ = false;
    std::vector<std::thread> threads_;
};

}  // namespace shoal

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <memory>

namespace shoal {

// Runs `work` on a disk thread; the awaiting coroutine resumes with its result on `executor`.
// A plain function, not a coroutine: GCC 12 destroys lambdas captured into coroutine frames
// twice in some forms, so nothing here lives in a coroutine frame.
template <class T, class Work>
boost::asio::awaitable<T> on_disk(DiskPool& pool, boost::asio::any_io_executor executor, Work work) {
    return boost::asio::async_initiate<decltype(boost::asio::use_awaitable), void(T)>(
        [&pool, executor](auto handler, Work work) {
            // DiskPool jobs are copyable std::functions; the handler is move-only.
            auto state = std::make_shared<std::pair<Work, decltype(handler)>>(std::move(work),
                                                                             std::move(handler));
            pool.post([executor, state] {
                T result = state->first();
                boost::asio::post(executor, [state, result = std::move(result)]() mutable {
                    std::move(state->second)(std::move(result));
                });
            });
        },
        boost::asio::use_awaitable, std::move(work));
}

}  // namespace shoal
