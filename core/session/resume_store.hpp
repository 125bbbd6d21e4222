#pragma once
// Where resume data lives: one file per torrent and save folder in the session's state
// folder, replaced atomically. Safe to use from disk threads; each torrent has its own file.

#include <filesystem>
#include <functional>
#include <optional>

#include "storage/resume_data.hpp"

namespace shoal {

class ResumeStore {
public:
    // An empty folder switches resume data off.
    explicit ResumeStore(std::filesystem::path state_dir);

    bool enabled() const { return !dir_.empty(); }
    // The verified pieces when the data on disk is exactly as it was when they were saved;
    // otherwise nullopt and, in `why`, a reason to show the user. `totals` (uploaded,
    // downloaded) gets what was saved whether or not the files still match, 0 without data.
    std::optional<std::string> trusted_pieces(const TorrentInfo& torrent, const std::filesystem::path& save_dir,
                                              std::string& why,
                                              std::pair<std::int64_t, std::int64_t>* totals = nullptr) const;
    // Records `have` (wire bitfield bytes) with the files as they are on disk now, and the
    // torrent's all-time uploaded and downloaded bytes. `flush_data` runs first and makes the
    // pieces' data durable (TorrentStorage::flush); if it fails nothing is saved, so resume
    // data never vouches for data a power cut could still take. The file is synced before it
    // replaces the old one, and its folder after. On a disk thread.
    Result<bool> save(const TorrentInfo& torrent, const std::filesystem::path& save_dir, std::string have,
                      std::int64_t uploaded, std::int64_t downloaded,
                      const std::function<Result<bool>()>& flush_data) const;
    void remove(const TorrentInfo& torrent, const std::filesystem::path& save_dir) const;

private:
    Result<ResumeData> read(const TorrentInfo& torrent, const std::filesystem::path& save_dir) const;
    std::filesystem::path file_for(const TorrentInfo& torrent, const std::filesystem::path& save_dir) const;

    std::filesystem::path dir_;
};

}  // namespace shoal
