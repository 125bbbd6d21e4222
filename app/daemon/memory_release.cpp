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

MemoryRelease::MemoryRelease(Resident resident, Trim trim, std::int64_t enough)
    : resident_(std::move(resident)), trim_(std::move(trim)), enough_(enough) {}

bool MemoryRelease::look() {
    if (resident_() < after_last_trim_ + enough_) return false;
    trim_();
    after_last_trim_ = resident_();
    return true;
}

}  // namespace shoal::daemon
