#pragma once
// Reading and writing the control layer's small state files.

#include <filesystem>
#include <string>

#include "util/result.hpp"

namespace shoal::control {

// Writes `bytes` to `path` through a temporary file that is synced and renamed over it (and
// the folder synced after), so a crash or power cut leaves the old file or the new, whole.
Result<Done> write_file_atomically(const std::filesystem::path& path, const std::string& bytes);
// Reads a whole file of at most `max_bytes`.
Result<std::string> read_small_file(const std::filesystem::path& path, std::uintmax_t max_bytes);

}  // namespace shoal::control
