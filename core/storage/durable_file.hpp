#pragma once
// Replacing a small file so that a crash or power cut leaves either the old file or the new
// one, whole: written beside it, synced, renamed over it, and the folder synced after. A file
// replaced keeps its mode (and, for root, its owner): a config file that holds a secret stays
// as private as it was.

#include <filesystem>
#include <string_view>

#include "util/result.hpp"

namespace shoal {

// True once `bytes` are at `path` and on disk; the error names the file and the reason
// (with the code of the failed call: no_space, permission, io...).
Result<bool> replace_file_durably(const std::filesystem::path& path, std::string_view bytes);

}  // namespace shoal
