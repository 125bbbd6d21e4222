#pragma once
// A torrent's files on disk for downloading and seeding: positional reads and writes of the
// torrent's byte stream, pad files never touched, nothing ever created outside the save folder.

#include <filesystem>
#include <mutex>
#include <set>
#include <span>
#include <vector>

#include "metainfo/torrent_info.hpp"
#include "storage/file_pool.hpp"
#include "storage/piece_reader.hpp"
#include "util/result.hpp"

namespace shoal {

// Thread-safe: disk threads read and write disjoint ranges at the same time. Descriptors come
// from `pool` (the process's by default), so a torrent of any number of files holds at most a
// few open, and each is closed only when no read or write of this storage is using it.
class TorrentStorage {
public:
    TorrentStorage(std::filesystem::path save_dir, const TorrentInfo& torrent, FilePool& pool = FilePool::shared());
    ~TorrentStorage();
    TorrentStorage(const TorrentStorage&) = delete;
    TorrentStorage& operator=(const TorrentStorage&) = delete;

    // Creates folders and files (sparse, at their final size), walking each path with
    // O_NOFOLLOW so a symlink planted in the save folder cannot redirect a write.
    Result<bool> write(std::int64_t offset, std::span<const char> data);
    ReadResult read(std::int64_t offset, std::span<char> out);

    // Creates the empty files, which no piece ever writes, except those the user skipped
    // (priority 0 in `file_priorities`, indexed like the torrent's files; empty: none). They
    // are closed at once: reads and writes never open an empty file.
    Result<bool> create_empty_files(const std::vector<int>& file_priorities);
    // Renames file `file` on disk (if it is there) to `new_path`, which differs from its
    // current path in the last component only. Never replaces an existing file. Waits for a
    // read of the file under way, if any, and closes it first.
    Result<bool> rename_on_disk(std::size_t file, const std::vector<std::string>& new_path);
    // Waits for the reads and writes under way and closes every file of this storage, so its
    // files can be moved; a later read or write opens them again. On a disk thread.
    void close_files();
    // Refuses every later write, so queued jobs cannot recreate files being deleted.
    void forbid_writes();
    // Forbids writes, waits for the reads and writes under way, then deletes the torrent's
    // files and the folders they leave empty, never through a symlinked folder. On a disk
    // thread: it waits, and it may take long.
    void remove_files();

    // Makes the data written since the last flush durable (fdatasync, file by file), so that
    // resume data saved afterwards never vouches for pieces a power cut would lose. On a disk
    // thread. Files that failed stay to be flushed next time.
    Result<bool> flush();
    // The files written since the last flush, by index.
    std::set<std::size_t> unflushed_files() const;
    // Gives `next`, which replaces this storage after a rename (same files, same indexes),
    // the files this one wrote and did not flush yet.
    void hand_over_unflushed(TorrentStorage& next);

    std::filesystem::path save_dir() const { return save_dir_; }

private:
    // With mutex_ held, so that rename and removal keep new loans out while they wait. A
    // thread holding a handle never takes mutex_ (those wait for loans while holding it).
    FilePool::Handle acquire(std::size_t file, FilePool::Mode mode);
    Result<bool> write_file(std::size_t file, std::int64_t at, std::span<const char> data);
    // fdatasync; true also when the file is gone (nothing left to flush), false with errno.
    bool sync_file(std::size_t file);

    // As text: a std::filesystem::path keeps its components in a heap list, and a library holds
    // thousands of storages.
    std::string save_dir_;
    const TorrentInfo& torrent_;
    FilePool& pool_;
    const std::uint64_t owner_;
    mutable std::mutex mutex_;
    bool writes_forbidden_ = false;
    std::set<std::size_t> unflushed_;
};

}  // namespace shoal
