#pragma once
// One torrent in a session: its state (checking, downloading, seeding, paused) and the
// coordination of its parts: its peers (TorrentPeers), its pieces (TorrentPieces), its files
// (TorrentFiles) and its trackers (TrackerList). Network thread only.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <map>
#include <memory>

#include "discovery/tracker/announcer.hpp"
#include "encryption/mse_handshake.hpp"
#include "http_client/http_get.hpp"
#include "metainfo/magnet.hpp"
#include "session/events.hpp"
#include "session/rate_limits.hpp"
#include "session/resume_store.hpp"
#include "session/settings.hpp"
#include "session/torrent_files.hpp"
#include "session/torrent_peers.hpp"
#include "session/torrent_pieces.hpp"
#include "session/torrent_report.hpp"
#include "session/torrent_web_seeds.hpp"
#include "session/tracker_list.hpp"
#include "session/transports.hpp"
#include "storage/disk_pool.hpp"
#include "storage/torrent_storage.hpp"
#include "swarm/peer_connection.hpp"
#include "swarm/peer_host.hpp"
#include "swarm/rate_limiter.hpp"
#include "util/alive_flag.hpp"

namespace shoal {

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
    int peer_limit = 0;  // connections at most; 0: SessionSettings::max_peers_per_torrent
    // Web seeds (BEP 19) replacing the torrent's own; nullopt: the torrent's.
    std::optional<std::vector<std::string>> web_seeds;
    // Files renamed on our side (index into info->files: new last path component).
    std::map<std::size_t, std::string> file_names;
};

// What the torrents of a session share: owned by the session, which outlives them.
struct SessionServices {
    const SessionSettings& settings;
    // The session's io_context: a torrent's parts each keep it, and this one is a pointer.
    boost::asio::io_context::executor_type executor;
    DiskPool& disk;
    std::function<void(Event)> events;
    wire::PeerId peer_id;
    std::uint16_t listen_port;
    // The port trackers and the DHT are told: the listen port, or the external port a port
    // mapping gave (the session's, read when an announcer is made).
    const std::uint16_t& announce_port;
    // False while the session's interface is down: no peer is dialed meanwhile.
    const bool& network_up;
    // Where a peer or a tracker (`voter`) says it sees us (see session/external_address.hpp).
    std::function<void(const boost::asio::ip::address& reported, const boost::asio::ip::address& voter)>
        report_external_address;
    // Whether an endpoint is this session's own.
    std::function<bool(const boost::asio::ip::tcp::endpoint&)> is_own_endpoint;
    // Shared with the coroutines that wait in them, which may outlive a torrent.
    std::shared_ptr<RateLimits> global_limits;
    ConnectionCount& connections;
    tracker_client::TrackerTransport& trackers;
    const ResumeStore& resume;
    Transports& transports;
    // For HTTPS web seeds: the tracker client's, which verifies servers against the
    // system's CA store.
    http_client::TlsClientContext& tls;
};

class Torrent final : public PeerHost, private TrackerList::Host {
public:
    using tcp = boost::asio::ip::tcp;

    // `session` outlives the torrent. `params.info` has our renames of files applied;
    // `published` is the torrent as its metainfo names them (what web seeds serve), the same
    // object when nothing was renamed.
    Torrent(TorrentId id, AddTorrentParams params, std::shared_ptr<const TorrentInfo> published,
            const SessionServices& session);
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
    // 0: the session's max_peers_per_torrent.
    void set_peer_limit(int peers);
    void add_peer(const tcp::endpoint& endpoint);
    // An incoming connection whose handshake named this torrent (ours is already sent).
    void attach_peer(std::unique_ptr<net::PeerStream> stream, const wire::Handshake& theirs,
                     bool we_dialed = false);
    // Connections and the announcer of the magnet link this torrent was fetched for: the
    // connections have no metadata until the check is done. Before start().
    void adopt(std::vector<std::shared_ptr<PeerConnection>> connections,
               std::unique_ptr<tracker_client::Announcer> announcer);
    // Once a second from the session.
    void tick();
    // The session's network device was made anew: the connections' sockets are bound to it.
    void device_recreated();

    TorrentId id() const { return id_; }
    TorrentState state() const { return state_; }
    TorrentStats stats() const;
    event::Details details() const;
    // Asks the trackers again as soon as their minimum interval allows.
    void reannounce();
    // Trackers hear this port from now on (see SessionServices::announce_port).
    void set_announce_port(std::uint16_t port) { tracker_list_.set_port(port); }
    // Replaces the trackers (tiers of URLs); those dropped hear `stopped` if they were told
    // `started`.
    void set_trackers(std::vector<Tier> tiers);
    // Replaces the web seeds (BEP 19); a URL that is no web seed's is left out.
    void set_web_seeds(const std::vector<std::string>& urls);
    // Renames a file (its last path component) on disk and from now on; FileRenamed or Error.
    void rename_file(std::size_t file, std::string name);
    // With `move`, moves the data to `to` (storage/move_files) with the peers closed meanwhile,
    // then carries on there; without, looks for the data in `to` instead (a check follows).
    // StorageMoved, or Error with the old folder kept. A move is refused while the data is being
    // checked; without one, the data is looked for in `to` once the check ends.
    void move_storage(std::filesystem::path to, bool move);
    // The 20-byte info-hash used in handshakes: v1, or the truncated v2 for v2-only torrents.
    SwarmHash wire_info_hash() const override;
    bool matches(const SwarmHash& hash) const;
    // The name (SKEY) an MSE handshake asks for by HASH('req2', SKEY), if it is this torrent's.
    std::optional<mse::StreamKey> stream_key_for(const Sha1Hash& req2_of_skey) const;
    std::filesystem::path save_dir() const { return files_.save_dir(); }
    // Stops writing and deletes the torrent's files and the folders it made, if empty, on a
    // disk thread, never through a symlink; then `done` runs on the network thread.
    void delete_files(std::function<void()> done);

    // PeerHost
    const TorrentInfo& info() const override { return *info_; }
    PiecePicker& picker() override { return pieces_.picker(); }
    const wire::PeerId& our_peer_id() const override { return session_.peer_id; }
    std::uint16_t listen_port() const override { return session_.listen_port; }
    boost::asio::awaitable<void> throttle_upload(std::int64_t bytes) override;
    boost::asio::awaitable<void> throttle_download(std::int64_t bytes) override;
    std::size_t send_allowance() const override { return peers_ ? peers_->send_allowance() : 0; }
    void on_block(PeerConnection& peer, const wire::BlockRequest& block, std::string_view data) override;
    boost::asio::awaitable<std::vector<std::string>> read_blocks(std::vector<wire::BlockRequest> blocks) override;
    void on_peer_closed(PeerConnection& peer, const std::string& reason) override;
    void on_peer_interest_changed(PeerConnection& peer) override;
    void on_peer_ready(PeerConnection& peer) override;
    void on_address_reported(PeerConnection& peer, const boost::asio::ip::address& address) override;
    bool pex_enabled() const override;
    void on_pex(PeerConnection& peer, const wire::PexMessage& message) override;
    bool holepunch_enabled() const override;
    void on_holepunch(PeerConnection& peer, const wire::HolepunchMessage& message) override;
    std::optional<std::vector<Sha256Hash>> answer_hashes(const wire::HashRequest& request) override;
    void on_hashes(PeerConnection& peer, const wire::Hashes& hashes) override;
    void on_hash_reject(PeerConnection& peer, const wire::HashRequest& request) override;

private:
    void set_state(TorrentState state);
    // Every wanted piece is in: the session hears it and the resume data records it.
    // `downloaded`: the last one arrived now (not found on disk by the check).
    void report_finished(bool downloaded);
    // Sends the torrent's figures as a Stats event; with `only_if_changed`, not when they are
    // the ones sent last (most of a large library sits still).
    void report_stats(bool only_if_changed);
    // With `allow_resume`, resume data that still matches the files replaces the check.
    void check_existing_data(bool allow_resume);
    // `from_resume_data`: `good` is what trusted resume data said, not a hash check.
    void on_checked(const std::vector<std::uint8_t>& good, bool from_resume_data = false);
    void on_piece_checked(std::size_t piece, const PieceWriter::Outcome& outcome);
    void ban(const boost::asio::ip::address& address, const std::string& reason);
    // Dials more peers while the torrent is active.
    void connect_more();
    TorrentPeers& peers();  // made on first use
    void strike(const boost::asio::ip::address& address, const std::string& reason);
    void request_piece_layers();
    // Web seeds ask for blocks while the torrent downloads.
    void start_web_seeds();
    // web_seeds_, made with `urls` and this torrent as their host.
    void make_web_seeds(const std::vector<std::string>& urls);
    tracker_client::AnnounceIdentity announce_identity() const;
    // TrackerList::Host
    tracker_client::AnnounceIdentity tracker_identity() override { return announce_identity(); }
    tracker_client::TransferTotals tracker_totals() override;
    void on_tracker_update(const tracker_client::TrackerUpdate& update) override;

    TorrentId id_;
    // A large library holds thousands of torrents: what is kept of AddTorrentParams is what
    // is used later, and the session's services are shared, not copied.
    std::shared_ptr<const TorrentInfo> info_;  // with the files' names as renamed
    std::shared_ptr<const TorrentInfo> published_info_;  // as published, for web seeds
    std::vector<tcp::endpoint> initial_peers_;  // dialed at start()
    bool paused_ = false;
    bool assume_complete_ = false;  // the first check is skipped
    const SessionServices& session_;
    TrackerList tracker_list_;

    TorrentFiles files_;
    TorrentPieces pieces_;
    std::shared_ptr<RateLimits> limits_;  // null until a limit is set
    TorrentState state_ = TorrentState::checking;
    bool finished_ = false;
    bool stopped_ = false;
    bool moving_ = false;  // the files are being moved: no peer meanwhile
    // Where the data was said to be (without a move) while it was being checked.
    std::unique_ptr<std::filesystem::path> relocated_while_checking_;
    // Alive while shutdown() may still be waiting for writes.
    AliveFlag alive_;

    // Made when the torrent first hears of a peer: a library of thousands of torrents holds
    // no peer machinery for those nobody trades.
    std::unique_ptr<TorrentPeers> peers_;
    int peer_limit_ = 0;  // TorrentPeers::set_limit, kept for when peers_ is made
    // Made when the torrent has web seeds.
    std::unique_ptr<TorrentWebSeeds> web_seeds_;
    // HASH('req2', SKEY) of each of the torrent's names (SwarmId::names(), in that order),
    // hashed once.
    std::array<Sha1Hash, 2> stream_key_hashes_{};

    report::Transferred transferred_;
    int ticks_ = 0;
    TorrentStats reported_;  // the figures sent last
};

}  // namespace shoal
