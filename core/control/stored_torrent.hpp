#pragma once
// One torrent of the list as it is kept across restarts.

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "control/labels.hpp"
#include "control/seed_rules.hpp"
#include "metainfo/torrent_info.hpp"

namespace shoal::control {

struct StoredTorrent {
    // The key in the state folder: the v1 (else v2) info-hash in hex, the magnet link's too.
    std::string id;
    // The .torrent file's bytes while they are still to be written: TorrentListStore::save
    // writes them once, and the controller then lets go of them (a library of large torrents
    // would otherwise sit in memory twice: the parsed TorrentInfo holds what is used).
    std::string metainfo;
    // The state folder holds the .torrent file (its record names it). Empty `metainfo` and no
    // `metainfo_saved`: a magnet link whose metadata is not in yet.
    bool metainfo_saved = false;
    std::string magnet;  // the link it was added from, if any
    std::filesystem::path save_dir;
    // Where the data goes once finished while it is kept in an incomplete folder (save_dir);
    // empty: it is where it belongs.
    std::filesystem::path complete_dir;
    bool paused = false;
    bool sequential = false;
    std::int64_t added_on = 0;  // seconds since the Unix epoch
    std::vector<int> file_priorities;            // empty: all normal
    std::map<std::size_t, std::string> file_names;  // renamed on our side
    // The trackers as the user left them, replacing the torrent's own; nullopt: the torrent's.
    std::optional<std::vector<Tier>> trackers;
    // The web seeds as the user left them, replacing the torrent's own; nullopt: the torrent's.
    std::optional<std::vector<std::string>> web_seeds;
    std::int64_t upload_limit = 0;  // bytes per second, 0: none
    std::int64_t download_limit = 0;
    int peer_limit = 0;  // 0: the session's max_peers_per_torrent
    TorrentSeedLimits seed_limits;  // a record without them follows the global limits
    Labels labels;
    // Its place in the torrent queue (lower first); nullopt in a record from before queues.
    std::optional<std::int64_t> queue_position;
};

// The id a torrent is stored under, from its info-hashes.
std::string stored_id(const TorrentInfo& info);

}  // namespace shoal::control
