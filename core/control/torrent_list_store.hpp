#pragma once
// The torrent list on disk, in the `torrents` folder of the state folder: per torrent one
// JSON record (<id>.json) and its metainfo (<id>.torrent). A record is written whole to a
// temporary file and renamed over the old one, so a crash leaves the old record or the new;
// one unreadable record costs only that torrent, which is reported and left on disk.

#include <filesystem>
#include <string>
#include <vector>

#include "util/result.hpp"
#include "control/state_files.hpp"
#include "control/stored_torrent.hpp"

namespace shoal::control {

// Limits on what is read back, against a damaged or hostile state folder.
struct StoreLimits {
    std::uintmax_t max_record_bytes = 16 * 1024 * 1024;
    std::size_t max_torrents = 100'000;
    std::size_t max_string = 64 * 1024;  // a path, a name, a URL, a magnet link
};

// Whether load() and read() bring each .torrent file's bytes with the record, or leave them
// to read_metainfo() (`metainfo_saved` set, `metainfo` empty), so that a caller going through
// thousands of records holds one file's bytes at a time.
enum class MetainfoBytes { with_record, later };

class TorrentListStore {
public:
    // `state_dir`/torrents; nothing is written until the first save.
    explicit TorrentListStore(std::filesystem::path state_dir, StoreLimits limits = {});

    const std::filesystem::path& folder() const { return folder_; }
    // Whether the folder was made already (by an earlier run or a migration).
    bool exists() const;
    Result<Done> save(const StoredTorrent& torrent) const;
    // Forgets the torrent; a missing record is not an error.
    void remove(const std::string& id) const;
    // Every readable record, oldest first; the others, each with why, in `problems`.
    std::vector<StoredTorrent> load(std::vector<Error>& problems,
                                    MetainfoBytes metainfo = MetainfoBytes::with_record) const;
    // What load() does in parts: the record files listed (RecordFiles), each read with read(),
    // then the readable ones put oldest first.
    class RecordFiles {
    public:
        explicit RecordFiles(const TorrentListStore& store);
        // Adds up to `count` more record files to `out` (at most the limit's number in all; more
        // is a problem); true once the whole folder is listed.
        bool list_some(std::size_t count, std::vector<std::filesystem::path>& out, std::vector<Error>& problems);

    private:
        const TorrentListStore& store_;
        std::error_code open_error_;
        // Constructed, never assigned: GCC 12 at -Os calls the move assignment's shared_ptr
        // swap out of line, and libstdc++ does not export it.
        std::filesystem::directory_iterator it_;
        bool done_ = false;
    };
    static void sort_oldest_first(std::vector<StoredTorrent>& records);
    // Reads one record (the .json file) and its metainfo.
    Result<StoredTorrent> read(const std::filesystem::path& record,
                               MetainfoBytes metainfo = MetainfoBytes::with_record) const;
    // The bytes of the .torrent file kept for the torrent stored as `id`.
    Result<std::string> read_metainfo(const std::string& id) const;

private:
    std::filesystem::path record_path(const std::string& id) const;
    std::filesystem::path metainfo_path(const std::string& id) const;

    std::filesystem::path folder_;
    StoreLimits limits_;
};

}  // namespace shoal::control
