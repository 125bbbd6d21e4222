#include "daemon/memory_release.hpp"

#include <malloc.h>
#include <unistd.h>

#include <cstdlib>
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
          [] { return static_cast<std::int64_t>(::mallinfo2().fordblks); }, k_enough_free, k_count_free_every) {}

MemoryRelease::MemoryRelease(Resident resident, Trim trim, std::int64_t enough, Free free, std::int64_t enough_free,
                             int count_free_every)
    : resident_(std::move(resident)),
      trim_(std::move(trim)),
      enough_(enough),
      free_(std::move(free)),
      enough_free_(enough_free),
      count_free_every_(count_free_every) {}

bool MemoryRelease::look() {
    const std::int64_t now = resident_();
    const bool still = now - last_seen_ < enough_free_ / 4;
    last_seen_ = now;
    if (now - after_last_trim_ >= enough_) return trim();
    if (!still || !free_) return false;
    ++still_looks_;
    const bool moved = std::llabs(now - resident_at_count_) >= enough_free_ / 4;
    if (!moved && still_looks_ < count_free_every_) return false;
    still_looks_ = 0;
    resident_at_count_ = now;
    if (free_() - free_after_last_trim_ < enough_free_) return false;
    return trim();
}

bool MemoryRelease::trim() {
    trim_();
    after_last_trim_ = last_seen_ = resident_at_count_ = resident_();
    still_looks_ = 0;
    if (free_) free_after_last_trim_ = free_();
    return true;
}

}  // namespace shoal::daemon
