#pragma once
// torrent-get's fields (Transmission's tr_torrent_get keys) from what the control layer knows
// of a torrent, and the mapping between Transmission's file list and Shoal's.

#include <boost/json.hpp>

#include <optional>
#include <string_view>
#include <vector>

#include "control/torrent_summary.hpp"
#include "util/result.hpp"

namespace shoal::daemon {

// What one torrent-get row is made of. `details` (peers, trackers, pieces) and `priorities`
// are looked up only when a field needs them.
struct TorrentView {
    const control::TorrentSummary& summary;
    const control::TorrentDetails* details = nullptr;
    const std::vector<int>* priorities = nullptr;  // Shoal's, per file: 0 (skip) to 7
    const std::vector<std::vector<std::string>>* trackers = nullptr;
    const std::vector<std::string>* web_seeds = nullptr;  // as the user last set them
    int session_peer_limit = 0;  // the session's limit for a torrent without its own
};

// True for the fields torrent_field() answers.
bool is_torrent_field(std::string_view name);
// Fields that need TorrentView::details, priorities or trackers.
bool needs_details(std::string_view name);

// nullopt for a field Shoal does not know.
std::optional<boost::json::value> torrent_field(const TorrentView& torrent, std::string_view name);

// Transmission lists a torrent's files without BEP 47 pad files: Shoal's file index for each
// entry of the RPC's `files`.
std::vector<std::size_t> rpc_file_indexes(const TorrentInfo& info);

// Transmission's priorities (-1 low, 0 normal, 1 high) against Shoal's 1..7 (0 is "skip").
int transmission_priority(int shoal_priority);
int shoal_priority(int transmission_priority);

// torrent-add's and torrent-set's files-wanted, files-unwanted and priority-high, -normal and
// -low (lists of RPC file indexes; an empty list is every file) applied to Shoal's per-file
// priorities. A priority is kept for wanted files only, as Shoal has no priority for a
// skipped file.
Result<Done> apply_file_choices(const boost::json::object& args, const TorrentInfo& info,
                                std::vector<int>& priorities);

}  // namespace shoal::daemon
