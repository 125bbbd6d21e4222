#pragma once
// The work a torrent runs on disk threads, as functions of what they are given alone (never
// the torrent, which may be removed while they run): the start-up check, serving blocks,
// saving resume data.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "metainfo/torrent_info.hpp"
#include "session/events.hpp"
#include "session/resume_store.hpp"
#include "storage/torrent_storage.hpp"
#include "wire/messages.hpp"

namespace shoal::disk_jobs {

struct DataCheck {
    std::vector<std::uint8_t> good;  // per piece: 1 when verified
    // Set when resume data was consulted, trusted or not.
    std::optional<event::ResumeDataChecked> resumed;
    // Transfer totals of earlier runs, from the resume data (uploaded, downloaded).
    std::pair<std::int64_t, std::int64_t> totals{0, 0};
};

// Which pieces are on disk: from resume data that still matches the files when `resume` is
// given, else by hashing the files (none on disk: nothing verified).
DataCheck check_data(TorrentId id, const TorrentInfo& info, const std::filesystem::path& save_dir,
                     const ResumeStore* resume);

// Each block as a complete `piece` message read straight into its buffer; an empty string
// for a block that could not be read.
std::vector<std::string> read_blocks(const TorrentInfo& info, TorrentStorage& storage,
                                     const std::vector<wire::BlockRequest>& blocks);

}  // namespace shoal::disk_jobs
