#pragma once
// Pieces `create` and `seed` share: tracker tiers from flags, writing a .torrent safely.

#include <filesystem>
#include <string>
#include <vector>

#include "metainfo/torrent_info.hpp"
#include "util/result.hpp"

namespace shoal::cli {

// `-t a,b -t c` gives two tiers: {a, b} and {c}, as mktorrent's -a does.
std::vector<Tier> tiers_from(const std::vector<std::string>& args);

// Writes beside the target and renames, so an interrupted run never leaves half a file.
// Refuses to replace an existing file unless `overwrite`.
Result<bool> write_torrent_file(const std::filesystem::path& path, const std::string& bytes,
                                bool overwrite);

}  // namespace shoal::cli
