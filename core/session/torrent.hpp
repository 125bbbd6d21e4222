#pragma once
// One torrent in a session: coordinates its parts (peer list, choker, piece writer, layer
// fetcher, PEX schedule, trackers, files) over its connected peers; network thread only.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>

#include "discovery/tracker/announcer.hpp"
#include "metainfo/magnet.hpp"
#include "session/events.hpp"
#include "session/rate_limits.hpp"
#include "session/resume_store.hpp"
#include "session/settings.hpp"
#include "session/torrent_files.hpp"
#include "session/tracker_list.hpp"
#include "storage/disk_pool.hpp"
#include "storage/torrent_storage.hpp"
#include "swarm/choker.hpp"
#include "swarm/peer_connection.hpp"
#include "swarm/peer_host.hpp"
#include "swarm/peer_list.hpp"
#include "swarm/pex_schedule.hpp"
#include "swarm/piece_layer_fetcher.hpp"
#include "swarm/piece_writer.hpp"
#include "swarm/rate_limiter.hpp"

namespace shoal {

// Peers connected across the session's torrents, against SessionSettings::max_connections.
struct ConnectionCount {
    std::size_t open = 0;
};

struct AddTorrentParams {
    // The torrent, or else a magnet link whose metadata is fetched from peers first.
    std::shared_ptr<const TorrentInfo> info;
    std::optional<MagnetLink> magnet;
    // With a magnet link: stop once the metadata is in (MetadataReceived, then TorrentRemoved),
    // so a user can see the files before adding the torrent.
    bool metadata_only = false;
    std::filesystem::path save_dir;
    std::vector<boost::asio::ip::tcp::endpoint> peers;
    bool paused = false;
    bool sequential = false;
    // Skip the start-up check and take the data on disk as complete (a torrent just made
    // from it); a later recheck still looks.
    bool assume_complete = false;
    // Per file (index into info->files): 0 skips the file, 1..7 orders; empty keeps all at 4
    // (or, for a magnet link, what its `so=` selects).
    std::vector<int> file_priorities;
    std::int64_t upload_limit = 0;
    std::int64_t download_limit = 0;
    // Files renamed on our side (index into info->files: new last path component).
    std::map<std::size_t, std::string> file_names;
};

class Torrent final : public PeerHost {
public:
    using tcp = boost::asio::ip::tcp;
    using EventSink = std::function<void(Event)>;

    Torrent(TorrentId id, AddTorrentParams params, const SessionSettings& settings,
            boost::asio::any_io_executor executor, DiskPool& disk, EventSink events,
            wire::PeerId peer_id, std::uint16_t listen_port, std::shared_ptr<RateLimits> global_limits,
            ConnectionCount& connections, tracker_client::TrackerTransport& trackers,
            const ResumeStore& resume);
    ~Torrent() override;

    void start();
    void pause();
    void resume();
    // Closes every peer; the torrent can be destroyed afterwards.
    void stop();
    // stop(), then tells the trackers we leave (bounded by the announcer's stop timeout).
    boost::asio::awaitable<void> shutdown();
    void recheck();
    // Records the verified pieces with the files' sizes and times, on a disk thread.
    void save_resume_data();
    // The torrent is being removed: its resume data goes too.
    void forget_resume_data();
    void set_file_priority(std::size_t file, int priority);
    void set_rate_limits(std::int64_t upload, std::int64_t download);
    void add_peer(const tcp::endpoint& endpoint);
    // An incoming connection whose handshake named this torrent (ours is already sent).
    void attach_peer(std::unique_ptr<net::PeerStream> stream, const wire::Handshake& theirs);
    // Connections and the announcer of the magnet link this torrent was fetched for: the
    // connections have no metadata until the check is done. Before start().
    void adopt(std::vector<std::shared_ptr<PeerConnection>> connections,
               std::unique_ptr<tracker_client::Announcer> announcer);
    // Once a second from the session.
    void tick();

    TorrentId id() const { return id_; }
    TorrentState state() const { return state_; }
    TorrentStats stats() const;
    event::Details details() const;
    // Asks the trackers again as soon as their minimum interval allows.
    void reannounce();
    // Replaces the trackers (tiers of URLs); those dropped hear `stopped` if they were told
    // `started`.
    void set_trackers(std::vector<Tier> tiers);
    // Renames a file (its last path component) on disk and from now on; FileRenamed or Error.
    void rename_file(std::size_t file, std::string name);
    // The 20-byte info-hash used in handshakes: v1, or the truncated v2 for v2-only torrents.
    std::array<std::uint8_t, 20> wire_info_hash() const override;
    bool matches(const std::array<std::uint8_t, 20>& info_hash) const;
    const std::filesystem::path& save_dir() const { return params_.save_dir; }
    // Stops writing and deletes the torrent's files and the folders it made, if empty, on a
    // disk thread, never through a symlink; then `done` runs on the network thread.
    void delete_files(std::function<void()> done);

    // PeerHost
    const TorrentInfo& info() const override { return *params_.info; }
    PiecePicker& picker() override { return picker_; }
    const wire::PeerId& our_peer_id() const override { return peer_id_; }
    std::uint16_t listen_port() const override { return listen_port_; }
    boost::asio::awaitable<void> throttle_upload(std::int64_t bytes) override;
    boost::asio::awaitable<void> throttle_download(std::int64_t bytes) override;
    void on_block(PeerConnection& peer, const wire::BlockRequest& block, std::string_view data) override;
    boost::asio::awaitable<std::vector<std::string>> read_blocks(std::vector<wire::BlockRequest> blocks) override;
    void on_peer_closed(PeerConnection& peer, const std::string& reason) override;
    void on_peer_interest_changed(PeerConnection& peer) override;
    void on_peer_ready(PeerConnection& peer) override;
    bool pex_enabled() const override;
    void on_pex(PeerConnection& peer, const wire::PexMessage& message) override;
    std::optional<std::vector<Sha256Hash>> answer_hashes(const wire::HashRequest& request) override;
    void on_hashes(PeerConnection& peer, const wire::Hashes& hashes) override;
    void on_hash_reject(PeerConnection& peer, const wire::HashRequest& request) override;

private:
    using Candidate = PeerList::Candidate;

    void set_state(TorrentState state);
    // Pieces whose blocks may be held in memory at once (SessionSettings::piece_memory).
    std::size_t max_partial_pieces() const;
    // With `allow_resume`, resume data that still matches the files replaces the check.
    void check_existing_data(bool allow_resume);
    void on_checked(const std::vector<std::uint8_t>& good);
    // Hashes and writes a finished piece on a disk thread; the verdict comes back here.
    void run_on_disk(PieceWriter::DiskWork work, PieceWriter::DiskDone done);
    void on_piece_checked(std::size_t piece, const PieceWriter::Outcome& outcome);
    void ban(const boost::asio::ip::address& address, const std::string& reason);
    void connect_more();
    // A connection that passed admission joins the torrent's peers (and the session's count).
    void add_connected(const std::shared_ptr<PeerConnection>& peer);
    boost::asio::awaitable<void> connect(Candidate candidate);
    void rechoke(bool rotate_optimistic);
    static choker::PeerSnapshot choke_snapshot(const PeerConnection& peer);
    void strike(const boost::asio::ip::address& address, const std::string& reason);
    void apply_file_priorities();
    // Pieces of files whose piece layer is still being fetched wait for it.
    void block_pieces_without_hashes();
    void request_piece_layers();
    // Tells each peer that speaks ut_pex whom we are connected to (at most once a minute).
    void exchange_peers();
    tracker_client::AnnounceIdentity announce_identity() const;
    void on_tracker_update(const tracker_client::TrackerUpdate& update);
    std::int64_t wanted_bytes(bool done_only) const;

    TorrentId id_;
    AddTorrentParams params_;
    const SessionSettings& settings_;
    boost::asio::any_io_executor executor_;
    DiskPool& disk_;
    EventSink events_;
    wire::PeerId peer_id_;
    std::uint16_t listen_port_;
    // Shared with the coroutines that wait in them, which may outlive the torrent.
    std::shared_ptr<RateLimits> global_limits_;
    ConnectionCount& connections_;
    // Whether the session-wide connection limit leaves room for `more` connections.
    bool session_has_room(std::size_t more) const;
    TrackerList tracker_list_;

    TorrentFiles files_;
    PiecePicker picker_;
    PieceLayerFetcher layer_fetcher_;
    PexSchedule pex_schedule_;
    std::shared_ptr<RateLimits> limits_ = std::make_shared<RateLimits>();
    TorrentState state_ = TorrentState::checking;
    bool finished_ = false;
    bool stopped_ = false;
    // Alive while disk jobs may still post back; they check it before touching the torrent.
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);

    std::set<std::shared_ptr<PeerConnection>> peers_;
    PeerList peer_list_;
    PieceWriter writer_{[this](auto work, auto done) { run_on_disk(std::move(work), std::move(done)); },
                        [this](std::size_t piece, const auto& outcome) { on_piece_checked(piece, outcome); }};

    std::int64_t downloaded_ = 0;
    // Transfer of earlier runs, from the resume data.
    std::int64_t earlier_uploaded_ = 0;
    std::int64_t earlier_downloaded_ = 0;
    std::int64_t uploaded_ = 0;  // to peers that have left; the rest is in their stats
    int ticks_ = 0;
    std::optional<choker::PeerKey> optimistic_;
    std::mt19937 rng_{std::random_device{}()};
};

}  // namespace shoal
