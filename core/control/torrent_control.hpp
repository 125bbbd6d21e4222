#pragma once
// What a front-end asks of the control layer: commands with typed errors, snapshots, and the
// published event stream. Controller is the implementation over a real Session; front-end
// tests put a scripted stand-in behind the same interface, so the front-end's own code (the
// projection of events into what it shows) is what they test.

#include <boost/asio/ip/tcp.hpp>

#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <vector>

#include "util/result.hpp"
#include "control/seed_rules.hpp"
#include "control/torrent_queue.hpp"
#include "control/torrent_summary.hpp"
#include "control/tracker_tiers.hpp"
#include "metainfo/magnet.hpp"

namespace shoal::control {

struct AddTorrent {
    // A .torrent file's bytes, or a parsed torrent (then the bytes are optional), or a magnet link.
    std::string metainfo;
    std::shared_ptr<const TorrentInfo> info;
    std::string magnet;
    // For a magnet link: the files to fetch, replacing the link's `so=`.
    std::optional<std::vector<FileIndexRange>> select_only;
    std::filesystem::path save_dir;
    // Where the data is kept until every wanted byte is verified, then moved to save_dir; empty:
    // straight into save_dir. Not used when the torrent's data is in save_dir already.
    std::filesystem::path incomplete_dir;
    bool paused = false;
    bool sequential = false;
    bool skip_check = false;  // take the data on disk as complete (a torrent just made from it)
    std::vector<int> file_priorities;  // per file, 0 (skip) to 7; empty: all 4
    std::int64_t added_on = 0;         // seconds since the Unix epoch; 0: now
    std::vector<boost::asio::ip::tcp::endpoint> peers;  // to dial at once, this run only
    std::map<std::size_t, std::string> file_names;       // files renamed on our side
    std::optional<Tiers> trackers;  // replacing the torrent's own
    std::int64_t upload_limit = 0;
    std::int64_t download_limit = 0;
    int peer_limit = 0;  // 0 to k_max_peer_limit; 0: the session's max_peers_per_torrent
    Labels labels;  // as checked_labels() takes them
};

// A torrent's own limit on its connections, at most.
inline constexpr int k_max_peer_limit = 65535;

// A torrent taken off the list, named for those who still hear of it (its summary is gone).
struct RemovedTorrent {
    TorrentId id;
    std::string name;
};

// What happened since the last poll.
struct Published {
    std::vector<Event> events;  // the session's, in order, after the snapshots took them in
    std::vector<SeedLimitReached> seed_limits_reached;
    std::vector<Error> problems;  // state that could not be saved
    // Taken off the list since the last poll; the session's TorrentRemoved for each comes in
    // this poll's events or a later one's.
    std::vector<RemovedTorrent> removed;
};

class TorrentControl {
public:
    virtual ~TorrentControl() = default;

    // Adds every torrent of the saved list; what could not be restored, each with why.
    virtual std::vector<Error> restore() = 0;

    virtual Result<TorrentId> add(AddTorrent request) = 0;
    virtual Result<Done> remove(TorrentId id, bool with_data) = 0;
    virtual Result<Done> pause(TorrentId id) = 0;
    // With a queue, the torrent may wait its turn (TorrentSummary::queued).
    virtual Result<Done> resume(TorrentId id) = 0;
    // Starts the torrent ahead of the queue (it still takes a slot).
    virtual Result<Done> resume_now(TorrentId id) = 0;
    // Moves the torrents in the queue as a group; an unknown id moves nothing.
    virtual Result<Done> move_in_queue(const std::vector<TorrentId>& ids, QueueMove to) = 0;
    virtual void set_queue_settings(QueueSettings queue) = 0;
    virtual QueueSettings queue_settings() const = 0;
    virtual Result<Done> recheck(TorrentId id) = 0;
    virtual Result<Done> reannounce(TorrentId id) = 0;
    // A Details event for the torrent follows.
    virtual Result<Done> request_details(TorrentId id) = 0;
    virtual Result<Done> set_file_priority(TorrentId id, std::size_t file, int priority) = 0;
    // Checked now; the file has its new name once a FileRenamed event says so.
    virtual Result<Done> rename_file(TorrentId id, std::size_t file, const std::string& name) = 0;
    // With `move`, moves the torrent's data to `dir`; without, looks for it there (a check
    // follows). Checked now; the record follows once a StorageMoved event says so, and a
    // failure comes as an Error event with the data left where it was.
    virtual Result<Done> move_storage(TorrentId id, const std::filesystem::path& dir, bool move) = 0;
    virtual Result<Done> set_torrent_limits(TorrentId id, std::int64_t upload, std::int64_t download) = 0;
    // The torrent's own limit on its connections (0: the session's max_peers_per_torrent).
    virtual Result<Done> set_peer_limit(TorrentId id, int peers) = 0;
    virtual Result<Done> add_tracker(TorrentId id, const std::string& url, int tier) = 0;
    virtual Result<Done> replace_tracker(TorrentId id, const std::string& url, const std::string& new_url) = 0;
    virtual Result<Done> remove_tracker(TorrentId id, const std::string& url) = 0;
    virtual Result<Done> set_trackers(TorrentId id, const Tiers& tiers) = 0;
    // Web seeds (BEP 19), kept in the torrent's record (control/web_seed_list's rules).
    virtual Result<Done> add_web_seed(TorrentId id, const std::string& url) = 0;
    virtual Result<Done> remove_web_seed(TorrentId id, const std::string& url) = 0;
    virtual void set_seed_limits(SeedLimits limits) = 0;
    // The torrent's own ratio and idle limits, or that it follows the global ones; kept.
    virtual Result<Done> set_torrent_seed_limits(TorrentId id, const TorrentSeedLimits& limits) = 0;
    // Replaces the torrent's labels (checked_labels()).
    virtual Result<Done> set_labels(TorrentId id, Labels labels) = 0;
    virtual Result<Done> set_rate_limits(std::int64_t upload, std::int64_t download) = 0;
    virtual Result<Done> set_max_peers_per_torrent(int peers) = 0;
    virtual Result<Done> set_max_connections(int connections) = 0;
    // Fetches a magnet link's metadata without adding the torrent (MetadataReceived follows,
    // with the returned id); cancel_metadata ends it early.
    virtual Result<TorrentId> fetch_metadata(const std::string& magnet) = 0;
    virtual void cancel_metadata(TorrentId id) = 0;

    // The torrents in the order they were added.
    virtual std::vector<TorrentSummary> summaries() const = 0;
    virtual const TorrentSummary* find(TorrentId id) const = 0;
    // The trackers as the user last set them (the torrent's own until then).
    virtual Tiers trackers(TorrentId id) const = 0;
    // The web seeds as the user last set them (the torrent's own until then).
    virtual std::vector<std::string> web_seeds(TorrentId id) const = 0;
    virtual std::vector<int> file_priorities(TorrentId id) const = 0;
    // Peers, trackers and pieces as of the last Details event; nullopt for an unknown id.
    virtual std::optional<TorrentDetails> details(TorrentId id) const = 0;

    // Takes in what happened, keeps snapshots (and any saved list) current; what happened.
    virtual Published poll() = 0;
    // Called on another thread when there is something to poll; keep it short.
    virtual void set_wakeup(std::function<void()> wakeup) = 0;

    virtual std::uint16_t listen_port() const = 0;
    // How the session is reached now (its changes also come as event::NetworkStatus).
    virtual NetworkState network_state() const = 0;
    virtual std::size_t dht_nodes() const = 0;
    virtual void stop() = 0;
};

}  // namespace shoal::control
