#include "daemon/memory_release.hpp"

#include <malloc.h>
#include <unistd.h>

#include <fstream>

namespace shoal::daemon {

std::int64_t resident_bytes() {
    std::ifstream statm("/proc/self/statm");
    std::int64_t size = 0;
    std::int64_t resident = 0;
    if (!(statm >> size >> resident)) return 0;
    return resident * ::sysconf(_SC_PAGESIZE);
}

MemoryRelease::MemoryRelease() : MemoryRelease(resident_bytes, [] { ::malloc_trim(0); }) {}

MemoryRelease::MemoryRelease(Resident resident, Trim trim, std::int64_t enough, std::int64_t enough_when_still)
    : resident_(std::move(resident)), trim_(std::move(trim)), enough_(enough), enough_when_still_(enough_when_still) {}

bool MemoryRelease::look() {
    const std::int64_t now = resident_();
    const bool still = now - last_seen_ < enough_when_still_ / 4;
    last_seen_ = now;
    const std::int64_t grown = now - after_last_trim_;
    if (grown < enough_ && !(still && grown >= enough_when_still_)) return false;
    trim_();
    after_last_trim_ = last_seen_ = resident_();
    return true;
}

}  // namespace shoal::daemon
