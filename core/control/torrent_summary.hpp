#pragma once
// What the control layer publishes about each torrent, for any front-end to show.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "control/labels.hpp"
#include "control/seed_rules.hpp"
#include "session/events.hpp"

namespace shoal::control {

struct TorrentSummary {
    TorrentId id;
    std::string store_id;  // the key it is kept under in the state folder
    std::string name;
    // With the files renamed on our side; null while a magnet link waits for its metadata.
    std::shared_ptr<const TorrentInfo> info;
    // The magnet link it was added by, while its metadata is not in (magnet_link() gives a link
    // to share it by in every case).
    std::string magnet;
    // The folders as text: a std::filesystem::path keeps its components in a list of its own,
    // which a library of thousands of torrents would hold for each.
    std::string save_dir;  // where the data is now
    // Where it goes once finished, while it is kept in an incomplete folder; empty: it is there.
    std::string complete_dir;
    // The latest statistics; `stats.state` follows every state change.
    TorrentStats stats;
    bool finished = false;         // every wanted byte verified
    std::int64_t added_on = 0;     // seconds since the Unix epoch
    std::int64_t completed_on = 0; // 0: not in this run
    std::string error;             // the last error, until the state changes again
    bool sequential = false;
    std::int64_t upload_limit = 0;  // bytes per second, 0: none
    std::int64_t download_limit = 0;
    int peer_limit = 0;  // connections at most; 0: the session's max_peers_per_torrent
    bool seed_limit_reached = false;
    TorrentSeedLimits seed_limits;  // the torrent's own choice over the global limits
    Labels labels;
    // Waiting in the queue (paused in the session meanwhile; while it checks, it is held for the
    // queue once checked), and its place there (0 first).
    enum class Queued { no, to_download, to_seed } queued = Queued::no;
    std::size_t queue_position = 0;
};

// What the session last said about a torrent's peers, trackers and pieces (from the Details
// event that request_details() asks for), with the choices the layer keeps.
struct TorrentDetails {
    TorrentId id;
    std::vector<std::vector<std::string>> trackers;  // tiers, as the user last set them
    std::vector<int> file_priorities;
    std::vector<PeerInfo> peers;
    std::vector<TrackerInfo> tracker_status;
    std::string have;  // wire bitfield bytes; empty until the first details
};

// A seed limit was reached; with SeedLimitAction::pause the torrent is paused already.
struct SeedLimitReached {
    TorrentId id;
    std::string reason;
};

// A magnet link to share the torrent by: made from its metadata when it is in (not kept: a
// large library would hold one for each torrent), else the link it was added by.
std::string magnet_link(const TorrentSummary& summary);

}  // namespace shoal::control
