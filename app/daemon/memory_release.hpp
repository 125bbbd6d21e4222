#pragma once
// Memory glibc keeps after it is freed (start-up's parsing of thousands of torrent files and
// records, a large RPC answer, removed torrents) given back to the system: once the resident
// size has grown by `enough` since the last time, free heap pages are released (malloc_trim);
// and once it has stopped growing (by less than a quarter of `enough_free` since the last
// look), also when the heap's free bytes have grown by `enough_free` since the last time, so
// that what a burst of work (a start-up, a large answer) freed after it was last trimmed is
// given back when the burst is over. The free bytes (mallinfo2, which walks the free lists and
// took a quarter of an idle daemon's CPU when counted every second) are only counted while the
// resident size stands still: at the first look after it moved since they were last counted,
// and otherwise once every `count_free_every` looks (what is freed without the resident size
// moving, as when torrents are removed).

#include <cstdint>
#include <functional>

namespace shoal::daemon {

// This process's resident size in bytes (/proc/self/statm); 0 when it cannot be read.
std::int64_t resident_bytes();

class MemoryRelease {
public:
    using Resident = std::function<std::int64_t()>;
    using Trim = std::function<void()>;
    using Free = std::function<std::int64_t()>;
    static constexpr std::int64_t k_enough = 4 * 1024 * 1024;
    static constexpr std::int64_t k_enough_free = 256 * 1024;
    static constexpr int k_count_free_every = 30;

    MemoryRelease();  // the process's own resident size, malloc's free bytes and malloc_trim
    // Without `free`, only the resident size's growth counts.
    MemoryRelease(Resident resident, Trim trim, std::int64_t enough = k_enough, Free free = nullptr,
                  std::int64_t enough_free = k_enough_free, int count_free_every = 1);

    // Trims when the resident size grew by `enough` since the last trim, or it stands still
    // and the free bytes counted grew by `enough_free` since the last trim; true when it did.
    bool look();

private:
    bool trim();  // true

    Resident resident_;
    Trim trim_;
    std::int64_t enough_;
    Free free_;
    std::int64_t enough_free_;
    int count_free_every_;
    std::int64_t after_last_trim_ = 0;
    std::int64_t free_after_last_trim_ = 0;
    std::int64_t last_seen_ = 0;  // at the last look
    std::int64_t resident_at_count_ = 0;  // when the free bytes were last counted (or trimmed)
    int still_looks_ = 0;                 // since then
};

}  // namespace shoal::daemon
