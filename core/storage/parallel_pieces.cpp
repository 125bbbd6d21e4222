#include "storage/parallel_pieces.hpp"

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace shoal {

unsigned default_thread_count() { return std::max(1u, std::thread::hardware_concurrency()); }

void for_each_piece(std::int64_t num_pieces, unsigned threads,
                    const std::function<void(std::int64_t, unsigned)>& work,
                    const std::function<void()>& tick, const std::atomic<bool>* cancel) {
    if (threads == 0) threads = default_thread_count();
    threads = static_cast<unsigned>(std::min<std::int64_t>(threads, std::max<std::int64_t>(1, num_pieces)));
    std::atomic<std::int64_t> next{0};
    std::mutex mutex;
    std::condition_variable finished;
    unsigned running = threads;
    {
        std::vector<std::jthread> workers;
        workers.reserve(threads);
        for (unsigned w = 0; w < threads; ++w) {
            workers.emplace_back([&, w] {
                while (!(cancel && cancel->load())) {
                    const std::int64_t piece = next.fetch_add(1);
                    if (piece >= num_pieces) break;
                    work(piece, w);
                }
                std::lock_guard lock(mutex);
                if (--running == 0) finished.notify_all();
            });
        }
        std::unique_lock lock(mutex);
        while (!finished.wait_for(lock, std::chrono::milliseconds(100), [&] { return running == 0; })) {
            if (tick) {
                lock.unlock();
                tick();
                lock.lock();
            }
        }
    }
    if (tick) tick();
}

}  // namespace shoal
