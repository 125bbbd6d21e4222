#pragma once
// Lists the files under a path in the order a torrent stores them.

#include <filesystem>
#include <string>
#include <vector>

#include "util/result.hpp"

namespace shoal {

struct ScannedFile {
    std::vector<std::string> path;  // components below the source folder; empty for a lone file
    std::int64_t size = 0;
    bool executable = false;
};

// Regular files (symlinked files followed, symlinked folders not), sorted by path components
// byte by byte, the order of a v2 file tree. Names a torrent may not carry are an error.
Result<std::vector<ScannedFile>> scan_files(const std::filesystem::path& source,
                                            bool include_hidden);

}  // namespace shoal
