#pragma once
// Spreads per-piece work over threads, reporting progress from the calling thread.

#include <atomic>
#include <cstdint>
#include <functional>

namespace shoal {

// Calls `work(piece, worker)` for every piece in [0, num_pieces) on `threads` threads
// (0 = one per core). `tick` runs on the calling thread about ten times a second.
// Stops early when `cancel` becomes true.
void for_each_piece(std::int64_t num_pieces, unsigned threads,
                    const std::function<void(std::int64_t piece, unsigned worker)>& work,
                    const std::function<void()>& tick = {},
                    const std::atomic<bool>* cancel = nullptr);

unsigned default_thread_count();

}  // namespace shoal
