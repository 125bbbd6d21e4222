#pragma once
// Creates v1, v2 and hybrid torrents from a file or a folder.

#include <atomic>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "metainfo/torrent_info.hpp"

namespace shoal {

enum class TorrentFormat { v1, v2, hybrid };

struct CreateOptions {
    TorrentFormat format = TorrentFormat::hybrid;
    std::int64_t piece_length = 0;  // 0: chosen from the total size
    std::vector<Tier> trackers;
    std::vector<std::string> web_seeds;
    bool is_private = false;
    std::string comment;
    std::string source;
    std::string created_by;
    // Unset: now; the key is left out when `include_date` is false.
    std::optional<std::int64_t> creation_date;
    bool include_date = true;
    bool include_hidden = false;  // files and folders whose names start with '.'
    unsigned threads = 0;         // 0: one per core
    std::function<void(std::int64_t done, std::int64_t total)> progress;
    const std::atomic<bool>* cancel = nullptr;
};

struct CreatedTorrent {
    std::string bytes;  // the .torrent file
    TorrentInfo info;
    // The folder the torrent's file paths start from: the source's parent, or for a v2
    // torrent of a folder holding one file, the folder itself.
    std::filesystem::path save_dir;
};

// A power of two between 16 KiB and 16 MiB giving roughly 1000 to 2000 pieces.
std::int64_t automatic_piece_length(std::int64_t total_size);

Result<CreatedTorrent> create_torrent(const std::filesystem::path& source,
                                      const CreateOptions& options);

}  // namespace shoal
