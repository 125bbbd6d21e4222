#pragma once
// Memory glibc keeps after it is freed (start-up's parsing of thousands of torrent files and
// records, a large RPC answer, removed torrents) given back to the system: once the resident
// size has grown by `enough` since the last time, free heap pages are released (malloc_trim);
// and once it has stopped growing (it grew by less than a quarter of `enough_when_still` since
// the last look), `enough_when_still` since the last time is enough, so that what a burst of
// work (a start-up) freed after it was last trimmed is given back when the burst is over.

#include <cstdint>
#include <functional>

namespace shoal::daemon {

// This process's resident size in bytes (/proc/self/statm); 0 when it cannot be read.
std::int64_t resident_bytes();

class MemoryRelease {
public:
    using Resident = std::function<std::int64_t()>;
    using Trim = std::function<void()>;
    static constexpr std::int64_t k_enough = 4 * 1024 * 1024;
    static constexpr std::int64_t k_enough_when_still = 1024 * 1024;

    MemoryRelease();  // the process's own resident size and malloc_trim
    MemoryRelease(Resident resident, Trim trim, std::int64_t enough = k_enough,
                  std::int64_t enough_when_still = k_enough_when_still);

    // Trims when the resident size grew by `enough` since the last trim, or by
    // `enough_when_still` and it has stopped growing; true when it did.
    bool look();

private:
    Resident resident_;
    Trim trim_;
    std::int64_t enough_;
    std::int64_t enough_when_still_;
    std::int64_t after_last_trim_ = 0;
    std::int64_t last_seen_ = 0;  // at the last look
};

}  // namespace shoal::daemon
