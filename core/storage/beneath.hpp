#pragma once
// Reaching a torrent's files under its save folder one path component at a time, never
// following a symlink, so nothing outside the folder is ever opened, renamed or deleted, even
// when a folder inside it was replaced by a symlink.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "metainfo/torrent_info.hpp"

namespace shoal {

// The folder that holds save_dir/parts (every component but the last), as a descriptor to
// pass to the *at() calls; with `create`, missing folders are made. -1 with errno on failure.
int open_parent_beneath(const std::filesystem::path& save_dir, const std::vector<std::string>& parts, bool create);

// save_dir/parts opened for reading; with `create`, opened for reading and writing and made
// (folders too) at `size` bytes, sparse, if it is smaller. -1 with errno on failure.
int open_beneath(const std::filesystem::path& save_dir, const std::vector<std::string>& parts, bool create,
                 std::int64_t size);

// Deletes the torrent's files (pads aside), then the folders they leave empty, deepest first.
// A folder that is a symlink is not entered, so what it leads to stays; nor is it removed.
void remove_beneath(const std::filesystem::path& save_dir, const TorrentInfo& torrent);
// The folders of the torrent's files that are empty, deepest first; the same rules.
void remove_empty_folders_beneath(const std::filesystem::path& save_dir, const TorrentInfo& torrent);

}  // namespace shoal
