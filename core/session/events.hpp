#pragma once
// What the engine tells its users, as typed values delivered in batches.

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "metainfo/torrent_info.hpp"

namespace shoal {

struct TorrentId {
    std::uint32_t value = 0;
    auto operator<=>(const TorrentId&) const = default;
};

enum class TorrentState { fetching_metadata, checking, downloading, seeding, paused, error };
std::string_view to_string(TorrentState state);

struct TorrentStats {
    TorrentState state = TorrentState::checking;
    std::int64_t total_wanted = 0;       // bytes of pieces we want
    std::int64_t total_wanted_done = 0;  // of those, verified on disk
    std::int64_t pieces_have = 0;
    std::int64_t num_pieces = 0;
    std::int64_t downloaded = 0;  // payload bytes this session
    std::int64_t uploaded = 0;
    std::int64_t all_time_downloaded = 0;  // over every run (from the resume data)
    std::int64_t all_time_uploaded = 0;
    double download_rate = 0;  // bytes per second
    double upload_rate = 0;
    int peers = 0;
    int seeds = 0;
    int encrypted_peers = 0;  // of `peers`, those over an encrypted connection
    int utp_peers = 0;        // of `peers`, those over uTP
    int web_seeds = 0;        // web seeds downloading now

    bool operator==(const TorrentStats&) const = default;
};

// One connected peer as a user sees it.
struct PeerInfo {
    std::string address;
    std::string client;
    // D: we download from it, d: we want to but it chokes us, U: we upload to it, u: it wants
    // to but we choke it, S: snubbed, I: it connected to us, E: encrypted (MSE with RC4),
    // e: an MSE handshake that chose plain text for what follows, P: over uTP (as in
    // libtorrent and qBittorrent).
    std::string flags;
    double progress = 0;  // of the torrent's pieces it has
    double download_rate = 0;
    double upload_rate = 0;
    bool encrypted = false;  // over MSE with RC4 (the E flag)
    std::string transport;   // "TCP" or "uTP"
};

// One web seed (BEP 19) of a torrent as a user sees it.
struct WebSeedInfo {
    std::string url;
    // "downloading", "idle" (nothing to ask it for now), "waiting" (after a failure),
    // "missing files" (it has none of the files still wanted) or "dropped".
    std::string state;
    std::string error;  // the last failure, in words
    double download_rate = 0;
    std::int64_t downloaded = 0;  // payload bytes this session
    int missing_files = 0;        // files it answered 404 or 410 for
};

// One tracker of a torrent: what it said last and when it is asked next.
struct TrackerInfo {
    std::string url;
    int tier = 0;
    enum class Status { not_contacted, working, failed } status = Status::not_contacted;
    std::string message;
    int peers = -1;                          // in its last reply
    std::int64_t next_announce_seconds = -1;  // from now; negative: unknown
    std::int64_t last_reply_seconds = -1;     // ago; negative: none yet
};

// How this session can be reached, as front-ends show it.
struct NetworkState {
    std::string listening_on;  // "0.0.0.0:6881 and [::]:6881"
    std::string interface;     // the device every socket is bound to; "": any
    bool interface_up = true;  // false: the device is down or gone, and nothing goes out
    std::string interface_problem;  // why it is not up
    // One per protocol (UPnP, then NAT-PMP); empty with port mapping off.
    struct Mapping {
        std::string protocol;  // "UPnP", "NAT-PMP"
        std::string state;     // "off", "discovering", "mapped", "failed"
        std::string external_address;
        std::uint16_t external_port = 0;  // 0 until mapped
        std::string error;                // why it failed
        bool operator==(const Mapping&) const = default;
    };
    std::vector<Mapping> port_mapping;
    // Where the Internet sees us, as the router, trackers, peers and the DHT agree; "": unknown.
    std::string external_address;
    std::uint16_t announce_port = 0;  // the port trackers and the DHT are told
    bool operator==(const NetworkState&) const = default;
};

namespace event {
struct TorrentAdded { TorrentId id; std::string name; };
// A torrent added from a magnet link has its info dictionary now (its real name with it).
struct MetadataReceived { TorrentId id; std::string name; std::shared_ptr<const TorrentInfo> info; };
struct StateChanged { TorrentId id; TorrentState state; };
struct PieceFinished { TorrentId id; std::int64_t piece; };
struct PeerConnected { TorrentId id; std::string address; std::string client; bool encrypted = false; std::string transport = "TCP"; };
struct PeerDisconnected { TorrentId id; std::string address; std::string reason; };
struct ConnectFailed { TorrentId id; std::string address; std::string reason; };
struct PeerBanned { TorrentId id; std::string address; std::string reason; };
struct HashFailed { TorrentId id; std::int64_t piece; };
// A tracker answered (`ok`, with how many peers and any warning) or failed (`message` says why).
struct TrackerReply { TorrentId id; std::string url; int peers = 0; std::string message; bool ok = false; };
// Every wanted piece is verified. `downloaded`: the last of them arrived in this run; false when
// the start-up check (or resume data) found them on disk.
struct TorrentFinished { TorrentId id; bool downloaded = false; };
// A file now has another name on disk; `info` is the torrent with that name.
struct FileRenamed { TorrentId id; std::size_t file = 0; std::string name; std::shared_ptr<const TorrentInfo> info; };
// The torrent's data is in `save_dir` now (moved there, or to be looked for there).
struct StorageMoved { TorrentId id; std::filesystem::path save_dir; };
// At start: whether saved resume data replaced the check of the files, and if not, why.
struct ResumeDataChecked { TorrentId id; bool trusted = false; std::string reason; };
struct TorrentRemoved { TorrentId id; };
struct Error { TorrentId id; std::string message; };
// Something a user may want in a detailed log (a metadata source failed, a tracker answered).
struct Notice { TorrentId id; std::string message; };
struct Stats { TorrentId id; TorrentStats stats; };
// The session's NetworkState changed (id 0: it belongs to no torrent).
// Shared, so that an event stays small (every torrent's events are queued beside it).
struct NetworkStatus { TorrentId id; std::shared_ptr<const NetworkState> state; };
// Asked for with Session::request_details: the peers, the trackers and which pieces we have.
struct Details {
    TorrentId id;
    std::vector<PeerInfo> peers;
    std::vector<TrackerInfo> trackers;
    std::string have;  // wire bitfield bytes
    std::vector<WebSeedInfo> web_seeds;
};
}  // namespace event

using Event = std::variant<event::TorrentAdded, event::MetadataReceived, event::StateChanged, event::PieceFinished,
                           event::PeerConnected, event::PeerDisconnected, event::ConnectFailed,
                           event::PeerBanned,
                           event::HashFailed, event::TrackerReply, event::TorrentFinished,
                           event::ResumeDataChecked, event::FileRenamed, event::StorageMoved,
                           event::TorrentRemoved, event::Error, event::Notice, event::Stats,
                           event::Details, event::NetworkStatus>;

}  // namespace shoal
