#pragma once
// A torrent's files on disk for downloading and seeding: positional reads and writes of the
// torrent's byte stream, pad files never touched, nothing ever created outside the save folder.

#include <filesystem>
#include <mutex>
#include <span>
#include <vector>

#include "metainfo/torrent_info.hpp"
#include "storage/piece_reader.hpp"
#include "util/result.hpp"

namespace shoal {

// Thread-safe: disk threads read and write disjoint ranges at the same time.
class TorrentStorage {
public:
    TorrentStorage(std::filesystem::path save_dir, const TorrentInfo& torrent);
    ~TorrentStorage();
    TorrentStorage(const TorrentStorage&) = delete;
    TorrentStorage& operator=(const TorrentStorage&) = delete;

    // Creates folders and files (sparse, at their final size), walking each path with
    // O_NOFOLLOW so a symlink planted in the save folder cannot redirect a write.
    Result<bool> write(std::int64_t offset, std::span<const char> data);
    ReadResult read(std::int64_t offset, std::span<char> out);

    // Creates the empty files, which no piece ever writes, except those the user skipped
    // (priority 0 in `file_priorities`, indexed like the torrent's files; empty: none).
    Result<bool> create_empty_files(const std::vector<int>& file_priorities);
    // Renames file `file` on disk (if it is there) to `new_path`, which differs from its
    // current path in the last component only. Never replaces an existing file.
    Result<bool> rename_on_disk(std::size_t file, const std::vector<std::string>& new_path);
    // Refuses every later write, so queued jobs cannot recreate files being deleted.
    void forbid_writes();

    const std::filesystem::path& save_dir() const { return save_dir_; }

private:
    Result<int> open_for_write(std::size_t file);
    int open_for_read(std::size_t file);

    std::filesystem::path save_dir_;
    const TorrentInfo& torrent_;
    std::mutex mutex_;
    bool writes_forbidden_ = false;
    std::vector<int> fds_;       // -1 until opened
    std::vector<bool> writable_;  // whether fds_[i] was opened for writing
};

}  // namespace shoal
