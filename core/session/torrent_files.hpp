#pragma once
// A torrent's files on disk: its storage (made when first read or written, replaced when a file
// is renamed or the folder changes), the start-up
// check, serving blocks, resume data and deleting the files, each run on a disk thread with
// what it needs, its result brought back to the network thread unless the torrent is gone.

#include <boost/asio/io_context.hpp>
#include <boost/asio/awaitable.hpp>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "metainfo/torrent_info.hpp"
#include "session/events.hpp"
#include "session/resume_store.hpp"
#include "session/torrent_disk_jobs.hpp"
#include "storage/disk_pool.hpp"
#include "storage/torrent_storage.hpp"
#include "util/alive_flag.hpp"
#include "wire/messages.hpp"

namespace shoal {

class TorrentFiles {
public:
    // Failures found on a disk thread (saving resume data), reported on the network thread.
    using OnError = std::function<void(std::string message)>;

    TorrentFiles(TorrentId id, std::shared_ptr<const TorrentInfo> info, std::filesystem::path save_dir,
                 DiskPool& disk, boost::asio::io_context::executor_type executor, const ResumeStore& resume, OnError on_error);
    ~TorrentFiles();
    TorrentFiles(const TorrentFiles&) = delete;
    TorrentFiles& operator=(const TorrentFiles&) = delete;

    const std::shared_ptr<const TorrentInfo>& info() const { return info_; }
    // Shared with queued disk jobs. Made on the first call: a library's idle torrents hold none.
    const std::shared_ptr<TorrentStorage>& storage();

    // Which pieces are on disk (see disk_jobs::check_data); resume data is trusted only with
    // `use_resume`.
    void check(bool use_resume, std::function<void(disk_jobs::DataCheck)> done);
    boost::asio::awaitable<std::vector<std::string>> read_blocks(std::vector<wire::BlockRequest> blocks);
    // Renames a file (its last path component) on disk; the torrent's info changes with it.
    // The caller waits until no write for the old names is queued.
    Result<bool> rename(std::size_t file, const std::string& name);
    // Moves the files to `to` on a disk thread (storage/move_files), their descriptors closed
    // first; on success the storage is at `to` from then on, and the resume data of the old
    // folder goes. `done` runs on the network thread with the outcome. The caller makes sure
    // nothing writes meanwhile (no write queued, no peer to bring blocks).
    void move_storage(std::filesystem::path to, std::function<void(Result<bool>)> done);
    // Looks for the data in `to` from now on, without moving anything (a check follows).
    void set_save_dir(std::filesystem::path to);
    std::filesystem::path save_dir() const { return save_dir_; }
    // Records the verified pieces with the files' sizes and times, once the data is flushed.
    // Nothing is written when the same pieces and totals were saved (or read back) last, so
    // stopping or restarting thousands of idle torrents writes nothing.
    void save_resume(std::string have, std::int64_t uploaded, std::int64_t downloaded);
    // The resume data on disk was trusted at start and says exactly this.
    void resume_matches(std::string have, std::int64_t uploaded, std::int64_t downloaded);
    // The torrent is being removed: its resume data goes, and is never saved again.
    void forget_resume();
    bool resume_enabled() const { return resume_.enabled() && !forgotten_; }
    // Stops writing and deletes the files and the folders made for them, if empty; then
    // `done` runs on the network thread.
    void delete_files(std::function<void()> done);

private:
    TorrentId id_;
    std::shared_ptr<const TorrentInfo> info_;
    // The torrent as it was before files were renamed: older storage and the piece layers
    // still refer to it.
    std::vector<std::shared_ptr<const TorrentInfo>> earlier_infos_;
    DiskPool& disk_;
    boost::asio::io_context::executor_type executor_;
    const ResumeStore& resume_;
    OnError on_error_;
    // As text, as TorrentStorage keeps it.
    std::string save_dir_;
    std::shared_ptr<TorrentStorage> storage_;  // null until storage()
    bool forgotten_ = false;
    // What the resume file holds now, when known: the verified pieces and the totals.
    struct SavedResume {
        std::string have;
        std::int64_t uploaded = 0;
        std::int64_t downloaded = 0;
        bool operator==(const SavedResume&) const = default;
    };
    std::optional<SavedResume> saved_resume_;
    AliveFlag alive_;
};

}  // namespace shoal
