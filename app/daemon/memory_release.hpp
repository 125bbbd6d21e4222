#pragma once
// Memory glibc keeps after it is freed (start-up's parsing of thousands of torrent files and
// records, a large RPC answer, removed torrents) given back to the system: once the resident
// size has grown by `enough` since the last time, free heap pages are released (malloc_trim).

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

    MemoryRelease();  // the process's own resident size and malloc_trim
    MemoryRelease(Resident resident, Trim trim, std::int64_t enough = k_enough);

    // Trims when the resident size grew by `enough` since the last trim; true when it did.
    bool look();

private:
    Resident resident_;
    Trim trim_;
    std::int64_t enough_;
    std::int64_t after_last_trim_ = 0;
};

}  // namespace shoal::daemon
