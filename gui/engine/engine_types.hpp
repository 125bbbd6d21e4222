#pragma once
// Plain values the GUI shows: what an engine reports about torrents, peers and trackers, and
// what the GUI asks of it. Kept free of engine types so a fake can produce them too.

#include <QDateTime>
#include <QString>
#include <QStringList>
#include <cstdint>
#include <map>
#include <algorithm>
#include <memory>
#include <optional>
#include <vector>

namespace shoal {
struct TorrentInfo;
}

namespace shoal::gui {

// The GUI's own torrent key; stable for the life of the process.
struct TorrentKey {
    std::uint32_t value = 0;
    auto operator<=>(const TorrentKey&) const = default;
};

// queued: waiting for its turn in the control layer's queue (paused until then).
enum class TorrentStatus { checking, downloading, seeding, paused, error, metadata, queued };
QString status_text(TorrentStatus status);

struct TorrentSnapshot {
    TorrentKey key;
    QString name;
    std::int64_t wanted = 0;       // bytes we want
    std::int64_t wanted_done = 0;  // of those, verified
    std::int64_t total_size = 0;
    std::int64_t pieces_have = 0;
    std::int64_t num_pieces = 0;
    TorrentStatus status = TorrentStatus::checking;
    bool finished = false;  // every wanted byte verified, whatever the status
    int seeds = 0;
    int peers = 0;
    double down_rate = 0;  // bytes per second
    double up_rate = 0;
    std::int64_t downloaded = 0;  // payload bytes this session
    std::int64_t uploaded = 0;
    std::int64_t all_time_downloaded = 0;  // over every run; the ratio is of these
    std::int64_t all_time_uploaded = 0;
    std::int64_t up_limit = 0;  // 0: unlimited
    std::int64_t down_limit = 0;
    QDateTime added_on;
    std::int64_t added_on_secs = 0;  // the same, cheap to compare when sorting
    QDateTime completed_on;
    QString save_dir;
    QString error;
    QString magnet;
    bool sequential = false;
    // Null while a magnet link waits for its metadata.
    std::shared_ptr<const TorrentInfo> info;
    // Which info-hashes the torrent has is known even though `info` holds no info dictionary
    // (a daemon that names both versions): a hash `info` lacks is none, not unreported.
    bool info_hashes_known = false;

    double progress() const {
        return wanted > 0 ? static_cast<double>(wanted_done) / static_cast<double>(wanted)
                          : (finished ? 1.0 : 0.0);
    }
    // Seconds to finish at the current rate; negative when unknown.
    double eta_seconds() const {
        if (finished || down_rate <= 0)
            return -1;
        return static_cast<double>(wanted - wanted_done) / down_rate;
    }
    double ratio() const {
        const std::int64_t down = std::max(downloaded, all_time_downloaded);
        const std::int64_t up = std::max(uploaded, all_time_uploaded);
        return down > 0 ? static_cast<double>(up) / static_cast<double>(down) : 0.0;
    }
    bool active() const { return down_rate > 0 || up_rate > 0; }
};

struct PeerSnapshot {
    QString address;
    QString client;
    QString flags;
    double progress = -1;  // negative: unknown
    double down_rate = -1;
    double up_rate = -1;
};

struct TrackerSnapshot {
    QString url;
    int tier = 0;
    QString status;  // "not contacted", "working", "failed"
    QString message;
    int peers = -1;
    QDateTime next_announce;  // invalid: unknown
};

// Per-file choices: 0 skips the file, 1..7 orders it; 4 is normal.
constexpr int k_priority_skip = 0;
constexpr int k_priority_low = 1;
constexpr int k_priority_normal = 4;
constexpr int k_priority_high = 7;

struct AddRequest {
    std::shared_ptr<const TorrentInfo> info;  // from a .torrent file
    QByteArray torrent_bytes;                 // that file's bytes, kept for restarts
    QString magnet;                           // or a magnet link
    QString save_dir;
    bool paused = false;
    bool skip_check = false;
    bool sequential = false;
    std::vector<int> file_priorities;  // empty: all normal
    QDateTime added_on;                // invalid: now
    QStringList peers;                 // HOST:PORT to dial at once
    std::map<int, QString> file_names;  // files renamed on our side: index -> new name
    // Trackers as the user left them (tiers of URLs), replacing the torrent's own.
    std::optional<std::vector<QStringList>> trackers;
};

enum class CompletionAction { nothing, pause, open_folder };

struct EngineSettings {
    int listen_port = 6881;
    std::int64_t down_limit = 0;  // bytes per second, 0 unlimited
    std::int64_t up_limit = 0;
    std::int64_t alt_down_limit = 100 * 1024;
    std::int64_t alt_up_limit = 20 * 1024;
    bool use_alt_limits = false;
    int max_connections = 500;
    int max_peers_per_torrent = 50;
    bool dht = true;
    bool pex = true;
    bool lsd = true;
    bool utp = true;  // uTP beside TCP (--no-utp)
    bool tcp = true;  // TCP beside uTP (--no-tcp); one of the two stays on
    // Message Stream Encryption: "prefer", "require" or "disable" (as --encryption).
    QString encryption = QStringLiteral("prefer");
    QString default_save_dir;
    CompletionAction on_completion = CompletionAction::nothing;
    // A finished torrent is paused once it has uploaded this many times what it downloaded,
    // or seeded this long (in this run); 0: no limit.
    double seed_ratio_limit = 0;
    int seed_time_limit_minutes = 0;
    // Ask the router to forward the listening port (UPnP IGD and NAT-PMP).
    bool port_mapping = true;
    // The network device every connection is bound to (a VPN's, say); empty: any. Nothing
    // goes out by another route while it is down.
    QString network_interface;
};

// How the session can be reached, as the status bar shows it.
struct PortMappingInfo {
    QString protocol;  // "UPnP", "NAT-PMP"
    QString state;     // "off", "discovering", "mapped", "failed"
    QString external_address;
    int external_port = 0;  // 0 until mapped
    QString error;          // why it failed
};

struct NetworkInfo {
    bool known = false;     // false until the engine has said anything
    QString listening_on;   // "0.0.0.0:6881 and [::]:6881"
    QString interface;      // empty: any
    bool interface_up = true;
    QString interface_problem;
    std::vector<PortMappingInfo> port_mapping;  // empty: port forwarding off
    QString external_address;                   // empty: unknown
    int announce_port = 0;                      // the port trackers and the DHT are told
};

struct SessionTotals {
    double down_rate = 0;
    double up_rate = 0;
    int dht_nodes = -1;  // negative: DHT not running, or not known
    // Free bytes where downloads go, as an engine on another computer reports it; negative:
    // not reported (the status bar then reads this computer's disk).
    std::int64_t free_space = -1;
};

}  // namespace shoal::gui

template <>
struct std::hash<shoal::gui::TorrentKey> {
    std::size_t operator()(const shoal::gui::TorrentKey& k) const noexcept { return k.value; }
};
