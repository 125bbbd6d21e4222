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

MemoryRelease::MemoryRelease()
    : MemoryRelease(
          resident_bytes, [] { ::malloc_trim(0); }, k_enough,
          [] { return static_cast<std::int64_t>(::mallinfo2().fordblks); }) {}

MemoryRelease::MemoryRelease(Resident resident, Trim trim, std::int64_t enough, Free free, std::int64_t enough_free)
    : resident_(std::move(resident)),
      trim_(std::move(trim)),
      enough_(enough),
      free_(std::move(free)),
      enough_free_(enough_free) {}

bool MemoryRelease::look() {
    const std::int64_t now = resident_();
    const bool still = now - last_seen_ < enough_free_ / 4;
    last_seen_ = now;
    if (now - after_last_trim_ < enough_ && !(still && free_ && free_() - free_after_last_trim_ >= enough_free_)) {
        return false;
    }
    trim_();
    after_last_trim_ = last_seen_ = resident_();
    if (free_) free_after_last_trim_ = free_();
    return true;
}

}  // namespace shoal::daemon
