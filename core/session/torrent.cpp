#include "session/torrent.hpp"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <random>

#include "metainfo/rename.hpp"
#include "session/torrent_disk_jobs.hpp"
#include "session/torrent_report.hpp"
#include "swarm/duplicate_connection.hpp"
#include "swarm/file_priorities.hpp"
#include "swarm/peer_handshake.hpp"

namespace shoal {

namespace asio = boost::asio;
using wire::BlockRequest;
using report::address_text;

namespace {

constexpr auto k_connect_timeout = std::chrono::seconds(10);
constexpr int k_rechoke_ticks = 10;
constexpr int k_optimistic_ticks = 30;

}  // namespace

Torrent::Torrent(TorrentId id, AddTorrentParams params, const SessionSettings& settings,
                 asio::any_io_executor executor, DiskPool& disk, EventSink events,
                 wire::PeerId peer_id, std::uint16_t listen_port, std::shared_ptr<RateLimits> global_limits,
                 ConnectionCount& connections, tracker_client::TrackerTransport& trackers,
                 const ResumeStore& resume)
    : id_(id),
      params_(std::move(params)),
      settings_(settings),
      executor_(std::move(executor)),
      disk_(disk),
      events_(std::move(events)),
      peer_id_(peer_id),
      listen_port_(listen_port),
      global_limits_(std::move(global_limits)),
      connections_(connections),
      tracker_list_(executor_, trackers, params_.info->trackers, [this] { return announce_identity(); },
                    [this] {
                        return tracker_client::TransferTotals{stats().uploaded, downloaded_,
                                                              wanted_bytes(false) - wanted_bytes(true)};
                    },
                    [this](const tracker_client::TrackerUpdate& u) { on_tracker_update(u); }),
      files_(id_, params_.info, params_.save_dir, disk_, executor_, resume,
             [this](std::string message) { events_(event::Error{id_, std::move(message)}); }),
      picker_(params_.info->num_pieces, params_.info->piece_length, params_.info->total_size),
      layer_fetcher_(*params_.info, !params_.info->has_v1()) {
    picker_.set_sequential(params_.sequential);
    picker_.set_max_partial(max_partial_pieces());
    limits_->upload.set_rate(params_.upload_limit);
    limits_->download.set_rate(params_.download_limit);
    apply_file_priorities();
    block_pieces_without_hashes();
}

Torrent::~Torrent() {
    *alive_ = false;
    stop();
}

std::array<std::uint8_t, 20> Torrent::wire_info_hash() const { return SwarmId::of(*params_.info).wire_hash(); }

bool Torrent::matches(const std::array<std::uint8_t, 20>& h) const { return SwarmId::of(*params_.info).matches(h); }

std::size_t Torrent::max_partial_pieces() const {
    // Within the memory budget, but at least one piece (a piece larger than the whole budget
    // still has to be downloaded).
    return static_cast<std::size_t>(std::max<std::int64_t>(1, settings_.piece_memory / params_.info->piece_length));
}

void Torrent::set_state(TorrentState state) {
    if (state == state_) return;
    state_ = state;
    events_(event::StateChanged{id_, state});
}

void Torrent::start() {
    for (const auto& e : params_.peers) add_peer(e);
    check_existing_data(true);
}

void Torrent::check_existing_data(bool allow_resume) {
    set_state(TorrentState::checking);
    if (params_.assume_complete) {
        params_.assume_complete = false;
        on_checked(std::vector<std::uint8_t>(static_cast<std::size_t>(params_.info->num_pieces), 1));
        return;
    }
    files_.check(allow_resume, [this](disk_jobs::DataCheck check) {
        if (check.resumed) std::tie(earlier_uploaded_, earlier_downloaded_) = check.totals;
        if (check.resumed) events_(*check.resumed);
        on_checked(check.good);
    });
}

void Torrent::on_checked(const std::vector<std::uint8_t>& good) {
    for (std::size_t i = 0; i < good.size(); ++i) {
        if (good[i]) picker_.set_have(i);
    }
    finished_ = picker_.finished();
    if (!finished_) {
        auto created = files_.storage()->create_empty_files(params_.file_priorities);
        if (!created) {
            events_(event::Error{id_, created.error().message});
            set_state(TorrentState::error);
            return;
        }
    }
    if (params_.paused) {
        set_state(TorrentState::paused);
    } else {
        set_state(finished_ ? TorrentState::seeding : TorrentState::downloading);
    }
    if (finished_) {
        events_(event::Stats{id_, stats()});
        events_(event::TorrentFinished{id_});
        save_resume_data();
    }
    // Connections taken over from a magnet link's fetch learn the torrent now, and what the
    // check found; they were sent no bitfield (BEP 3 allows one only first).
    for (const auto& p : std::vector(peers_.begin(), peers_.end())) {
        if (p->has_metadata()) continue;
        if (params_.paused) {
            p->close("paused");
            continue;
        }
        p->metadata_arrived(*this);
        for (std::size_t i = 0; i < good.size() && p->is_open(); ++i) {
            if (good[i]) p->send_have(static_cast<std::uint32_t>(i));
        }
    }
    if (!params_.paused) tracker_list_.start();
    connect_more();
}

void Torrent::adopt(std::vector<std::shared_ptr<PeerConnection>> connections,
                    std::unique_ptr<tracker_client::Announcer> announcer) {
    if (announcer) tracker_list_.adopt(std::move(announcer));
    for (auto& peer : connections) {
        peer->move_to(*this);
        if (!peer->is_open()) continue;
        if (peers_.size() >= static_cast<std::size_t>(settings_.max_peers_per_torrent) || !session_has_room(1)) {
            peer->close("too many connections");
            continue;
        }
        peer_list_.mark_dialed(peer->endpoint());
        add_connected(peer);
    }
}

tracker_client::AnnounceIdentity Torrent::announce_identity() const {
    tracker_client::AnnounceIdentity identity;
    identity.info_hash.bytes = wire_info_hash();
    identity.peer_id = peer_id_;
    identity.port = listen_port_;
    identity.key = static_cast<std::uint32_t>(std::random_device{}());
    return identity;
}

void Torrent::on_tracker_update(const tracker_client::TrackerUpdate& u) {
    if (u.ok) {
        for (const auto& e : u.peers) add_peer(e);
    }
    std::string message = tracker_list_.record(u);
    events_(event::TrackerReply{id_, u.url, static_cast<int>(u.peers.size()), std::move(message), u.ok});
}

void Torrent::apply_file_priorities() {
    if (params_.file_priorities.empty()) return;
    const auto priorities = piece_priorities(*params_.info, params_.file_priorities);
    for (std::size_t p = 0; p < priorities.size(); ++p) picker_.set_priority(p, priorities[p]);
}

void Torrent::set_file_priority(std::size_t file, int priority) {
    const std::size_t files = params_.info->files.size();
    if (file >= files) return;
    if (params_.file_priorities.empty()) params_.file_priorities.assign(files, 4);
    params_.file_priorities[file] = std::clamp(priority, 0, 7);
    apply_file_priorities();
    const bool was_finished = finished_;
    finished_ = picker_.finished();
    if (was_finished && !finished_ && state_ == TorrentState::seeding) set_state(TorrentState::downloading);
    for (const auto& p : peers_) p->update_interest();
}

void Torrent::set_rate_limits(std::int64_t upload, std::int64_t download) {
    limits_->upload.set_rate(upload);
    limits_->download.set_rate(download);
}

asio::awaitable<void> Torrent::throttle_upload(std::int64_t bytes) {
    return acquire_both(limits_, global_limits_, &RateLimits::upload, bytes);
}

asio::awaitable<void> Torrent::throttle_download(std::int64_t bytes) {
    return acquire_both(limits_, global_limits_, &RateLimits::download, bytes);
}

void Torrent::add_peer(const tcp::endpoint& endpoint) {
    if (!peer_list_.add(endpoint)) return;
    if (state_ == TorrentState::downloading || state_ == TorrentState::seeding) connect_more();
}

bool Torrent::session_has_room(std::size_t more) const {
    return connections_.open + more <= static_cast<std::size_t>(std::max(1, settings_.max_connections));
}

void Torrent::connect_more() {
    if (stopped_ || (state_ != TorrentState::downloading && state_ != TorrentState::seeding)) return;
    // Room for more dials under the torrent's peer limit and under the session's.
    const auto busy = static_cast<std::int64_t>(peers_.size() + peer_list_.connecting());
    const auto torrent_room = settings_.max_peers_per_torrent - busy;
    const auto session_room = std::max(1, settings_.max_connections) -
                              static_cast<std::int64_t>(connections_.open + peer_list_.connecting());
    const auto budget = static_cast<std::size_t>(std::max<std::int64_t>(0, std::min(torrent_room, session_room)));
    const auto due = peer_list_.take_due(std::chrono::steady_clock::now(), budget, [&](const tcp::endpoint& e) {
        return std::any_of(peers_.begin(), peers_.end(), [&](const auto& p) { return p->endpoint() == e; });
    });
    for (const auto& candidate : due) {
        auto alive = alive_;
        asio::co_spawn(executor_, connect(candidate), [this, alive, endpoint = candidate.endpoint](std::exception_ptr) {
            if (*alive) peer_list_.dial_ended(endpoint);
        });
    }
}

asio::awaitable<void> Torrent::connect(Candidate candidate) {
    const tcp::endpoint endpoint = candidate.endpoint;
    auto alive = alive_;
    const DialEncryption encryption{settings_.encryption, peer_list_.plain_only(endpoint)};
    auto done = co_await connect_to_peer(executor_, endpoint, SwarmId::of(*params_.info), peer_id_, k_connect_timeout,
                                         encryption);
    if (!*alive) co_return;
    if (done) {
        if (done->fell_back_to_plain) peer_list_.note_plain_only(endpoint);
        attach_peer(std::move(done->stream), done->theirs);
        co_return;
    }
    events_(event::ConnectFailed{id_, address_text(endpoint), done.error().message});
    peer_list_.dial_failed(candidate, std::chrono::steady_clock::now());
}

void Torrent::attach_peer(std::unique_ptr<net::PeerStream> stream, const wire::Handshake& theirs) {
    const tcp::endpoint remote = stream->remote_endpoint();
    // A second connection with the same peer: both sides keep the same one of the two.
    const auto same = std::find_if(peers_.begin(), peers_.end(),
                                   [&](const auto& p) { return p->peer_id() == theirs.peer_id; });
    const bool we_dialed = peer_list_.tried(remote);
    const bool replaces = same != peers_.end() && we_dialed != peer_list_.tried((*same)->endpoint()) &&
                          we_dialed == keep_the_one_we_dialed(peer_id_, theirs.peer_id);
    // Not while checking: the bitfield we send first would not yet show what we have.
    const bool refuse = stopped_ || state_ == TorrentState::paused || state_ == TorrentState::error ||
                        state_ == TorrentState::checking ||
                        peer_list_.banned(remote.address()) || theirs.peer_id == peer_id_ ||
                        (same != peers_.end() && !replaces) ||
                        (!replaces && peers_.size() >= static_cast<std::size_t>(settings_.max_peers_per_torrent)) ||
                        (!replaces && !session_has_room(1));
    if (refuse) {
        stream->close();
        // A peer we dialed just before a recheck began: dial it again afterwards.
        if (state_ == TorrentState::checking) {
            peer_list_.refused_dialed_peer(remote, std::chrono::steady_clock::now());
        }
        return;
    }
    if (replaces) (*same)->close("a second connection with the same peer replaces it");
    auto peer = std::make_shared<PeerConnection>(std::move(stream), *this, theirs);
    add_connected(peer);
    asio::co_spawn(executor_, [peer]() { return peer->run(); }, asio::detached);
}

void Torrent::add_connected(const std::shared_ptr<PeerConnection>& peer) {
    peers_.insert(peer);
    ++connections_.open;
    events_(event::PeerConnected{id_, address_text(peer->endpoint()), peer->client(), peer->encrypted()});
}

void Torrent::on_peer_closed(PeerConnection& peer, const std::string& reason) {
    auto it = std::find_if(peers_.begin(), peers_.end(), [&](const auto& p) { return p.get() == &peer; });
    if (it == peers_.end()) return;
    if (optimistic_ == &peer) optimistic_.reset();
    events_(event::PeerDisconnected{id_, address_text(peer.endpoint()), reason});
    const tcp::endpoint endpoint = peer.endpoint();
    uploaded_ += peer.stats().uploaded;
    layer_fetcher_.peer_gone(&peer);
    pex_schedule_.peer_gone(&peer);
    peers_.erase(it);
    --connections_.open;
    request_piece_layers();
    if (!finished_ && !stopped_) peer_list_.dropped(endpoint, std::chrono::steady_clock::now());
}

void Torrent::on_peer_interest_changed(PeerConnection& peer) {
    const std::size_t unchoked = static_cast<std::size_t>(
        std::count_if(peers_.begin(), peers_.end(), [](const auto& p) { return !p->am_choking(); }));
    const auto slots = static_cast<std::size_t>(settings_.unchoke_slots);
    if (auto choke = choker::on_interest(choke_snapshot(peer), unchoked, slots)) peer.set_choked(*choke);
}

void Torrent::on_block(PeerConnection& peer, const BlockRequest& block, std::string_view data) {
    bool piece_done = false;
    if (!picker_.block_received(block, piece_done)) return;
    writer_.store_block(block, data, peer.endpoint().address(),
                        static_cast<std::size_t>(params_.info->piece_size(block.piece)), picker_.blocks_in(block.piece));
    downloaded_ += block.length;
    if (picker_.in_endgame()) {
        for (const auto& p : peers_) {
            if (p.get() != &peer) p->cancel_block(block);
        }
    }
    if (piece_done) {
        writer_.piece_complete(block.piece, params_.info, files_.storage(),
                               layer_fetcher_.fetched_piece_hash(block.piece));
    }
}

void Torrent::run_on_disk(PieceWriter::DiskWork work, PieceWriter::DiskDone done) {
    disk_.post([work = std::move(work), done = std::move(done), alive = alive_, executor = executor_] {
        asio::post(executor, [alive, done, verdict = work()] {
            if (*alive) done(verdict);
        });
    });
}

void Torrent::on_piece_checked(std::size_t piece, const PieceWriter::Outcome& outcome) {
    using Kind = PieceWriter::Outcome::Kind;
    if (outcome.kind == Kind::write_error) {
        picker_.piece_failed(piece);
        events_(event::Error{id_, outcome.write_error});
        set_state(TorrentState::error);
        for (const auto& p : std::vector(peers_.begin(), peers_.end())) p->close("disk error");
        return;
    }
    if (outcome.kind == Kind::failed) {
        // Every block of the piece is asked for again, from whoever has it.
        picker_.piece_failed(piece);
        events_(event::HashFailed{id_, static_cast<std::int64_t>(piece)});
        for (const auto& [address, reason] : outcome.bans) ban(address, reason);
    } else {
        for (const auto& [address, reason] : outcome.bans) ban(address, reason);
        picker_.piece_passed(piece);
        events_(event::PieceFinished{id_, static_cast<std::int64_t>(piece)});
        for (const auto& p : peers_) p->send_have(static_cast<std::uint32_t>(piece));
        if (!finished_ && picker_.finished()) {
            finished_ = true;
            set_state(TorrentState::seeding);
            events_(event::Stats{id_, stats()});
            events_(event::TorrentFinished{id_});
            save_resume_data();
            tracker_list_.download_completed();
            for (const auto& p : peers_) p->update_interest();
        }
    }
    for (const auto& p : std::vector(peers_.begin(), peers_.end())) p->fill_requests();
}

void Torrent::block_pieces_without_hashes() {
    for (const std::size_t p : layer_fetcher_.pieces_without_hashes()) picker_.set_blocked(p, true);
}

void Torrent::request_piece_layers() {
    if (stopped_) return;
    layer_fetcher_.request(std::chrono::steady_clock::now(), [](void* peer, const wire::HashRequest& request) {
        static_cast<PeerConnection*>(peer)->send_hash_request(request);
    });
}

bool Torrent::pex_enabled() const { return settings_.enable_pex && !params_.info->is_private; }

void Torrent::on_pex(PeerConnection&, const wire::PexMessage& message) {
    for (const auto& p : message.added) add_peer(p.endpoint);
}

void Torrent::exchange_peers() {
    if (!pex_enabled()) return;
    std::vector<PexSchedule::PeerSnapshot> snapshots;
    for (const auto& p : peers_) {
        snapshots.push_back({p.get(), p->endpoint(), p->listen_endpoint(peer_list_.tried(p->endpoint())),
                             p->is_seed(), p->speaks_pex()});
    }
    for (auto& [peer, message] : pex_schedule_.update(snapshots, std::chrono::steady_clock::now())) {
        static_cast<PeerConnection*>(peer)->send_pex(message);
    }
}

void Torrent::on_peer_ready(PeerConnection& peer) {
    layer_fetcher_.peer_ready(&peer);
    request_piece_layers();
}

std::optional<std::vector<Sha256Hash>> Torrent::answer_hashes(const wire::HashRequest& request) {
    return layer_fetcher_.answer(request);
}

void Torrent::on_hashes(PeerConnection& peer, const wire::Hashes& hashes) {
    auto checkable = layer_fetcher_.on_hashes(&peer, hashes);
    if (!checkable) {
        strike(peer.endpoint().address(), "sent " + checkable.error().message);
    } else if (!checkable->empty()) {
        for (const std::size_t p : *checkable) picker_.set_blocked(p, false);
        for (const auto& p : std::vector(peers_.begin(), peers_.end())) p->fill_requests();
    }
    request_piece_layers();
}

void Torrent::on_hash_reject(PeerConnection& peer, const wire::HashRequest& request) {
    layer_fetcher_.on_reject(&peer, request);
    request_piece_layers();
}

void Torrent::strike(const asio::ip::address& address, const std::string& reason) {
    if (peer_list_.strike(address)) ban(address, reason);
}

void Torrent::ban(const asio::ip::address& address, const std::string& reason) {
    if (!peer_list_.ban(address)) return;
    // What it sent to pieces still in progress is asked for again from others.
    for (const auto& [piece, block] : writer_.blocks_from(address)) picker_.discard_block(piece, block);
    events_(event::PeerBanned{id_, address.to_string(), reason});
    for (const auto& p : std::vector(peers_.begin(), peers_.end())) {
        if (p->endpoint().address() == address) p->close("banned: " + reason);
    }
}

asio::awaitable<std::vector<std::string>> Torrent::read_blocks(std::vector<BlockRequest> blocks) {
    return files_.read_blocks(std::move(blocks));
}

choker::PeerSnapshot Torrent::choke_snapshot(const PeerConnection& p) {
    return {&p, p.peer_interested(), p.am_choking(), p.is_open(), p.last_unchoked(), p.stats().download_rate};
}

void Torrent::rechoke(bool rotate_optimistic) {
    std::vector<choker::PeerSnapshot> snapshots;
    for (const auto& p : peers_) snapshots.push_back(choke_snapshot(*p));
    const auto decision = choker::rechoke(std::move(snapshots), static_cast<std::size_t>(settings_.unchoke_slots),
                                          finished_, PeerConnection::Clock::now(), rotate_optimistic, optimistic_,
                                          rng_);
    optimistic_ = decision.optimistic;
    for (const auto& p : peers_) p->set_choked(!decision.unchoke.contains(p.get()));
}

void Torrent::tick() {
    if (stopped_) return;
    ++ticks_;
    const auto now = PeerConnection::Clock::now();
    for (const auto& p : std::vector(peers_.begin(), peers_.end())) {
        // Two seeds have nothing to trade.
        if (finished_ && picker_.have_pieces().all() && p->is_seed()) {
            p->close("both seeding");
        } else {
            p->tick(now);
        }
    }
    // Pieces begun with peers that left keep their blocks while the memory budget allows, in
    // case such a peer comes back; beyond it they are given up.
    for (const std::size_t piece : picker_.abandon_stranded(max_partial_pieces())) writer_.drop(piece);
    if (state_ == TorrentState::downloading || state_ == TorrentState::seeding) {
        if (ticks_ % k_rechoke_ticks == 0) rechoke(ticks_ % k_optimistic_ticks == 0);
        exchange_peers();
        connect_more();
        // Hash requests past their deadline go to other peers.
        request_piece_layers();
    }
    events_(event::Stats{id_, stats()});
}

std::int64_t Torrent::wanted_bytes(bool done_only) const {
    return report::wanted_bytes(*params_.info, picker_, done_only);
}

TorrentStats Torrent::stats() const {
    TorrentStats s;
    s.state = state_;
    s.total_wanted = wanted_bytes(false);
    s.total_wanted_done = wanted_bytes(true);
    s.pieces_have = static_cast<std::int64_t>(picker_.have_pieces().count());
    s.num_pieces = params_.info->num_pieces;
    s.downloaded = downloaded_;
    for (const auto& p : peers_) report::count_peer(s, *p);
    s.uploaded += uploaded_;
    s.all_time_uploaded = earlier_uploaded_ + s.uploaded;
    s.all_time_downloaded = earlier_downloaded_ + s.downloaded;
    return s;
}

event::Details Torrent::details() const {
    event::Details d;
    d.id = id_;
    d.have = picker_.have_pieces().to_bytes();
    for (const auto& p : peers_) {
        d.peers.push_back(report::describe_peer(*p, peer_list_.tried(p->endpoint()), params_.info->num_pieces));
    }
    d.trackers = tracker_list_.trackers(std::chrono::steady_clock::now());
    return d;
}

void Torrent::rename_file(std::size_t file, std::string name) {
    auto renamed = with_file_renamed(*params_.info, file, name);
    if (!renamed) return events_(event::Error{id_, renamed.error().message});
    if (writer_.writing() > 0) {
        // Writes queued for the old storage land first; then the name changes.
        auto later = std::make_shared<asio::steady_timer>(executor_, std::chrono::milliseconds(20));
        later->async_wait([this, alive = alive_, later, file, name = std::move(name)](boost::system::error_code ec) mutable {
            if (!ec && *alive) rename_file(file, std::move(name));
        });
        return;
    }
    if (auto moved = files_.rename(file, name); !moved) return events_(event::Error{id_, moved.error().message});
    params_.info = files_.info();
    params_.file_names[file] = name;
    save_resume_data();
    events_(event::FileRenamed{id_, file, std::move(name), params_.info});
}

void Torrent::set_trackers(std::vector<Tier> tiers) { tracker_list_.set_trackers(std::move(tiers)); }

void Torrent::reannounce() { tracker_list_.reannounce(); }

void Torrent::pause() {
    if (state_ == TorrentState::paused || state_ == TorrentState::checking) {
        params_.paused = true;
        return;
    }
    params_.paused = true;
    for (const auto& p : std::vector(peers_.begin(), peers_.end())) p->close("paused");
    tracker_list_.stop();
    set_state(TorrentState::paused);
    save_resume_data();
}

void Torrent::resume() {
    params_.paused = false;
    if (state_ != TorrentState::paused) return;
    set_state(finished_ ? TorrentState::seeding : TorrentState::downloading);
    tracker_list_.start();
    for (const auto& e : peer_list_.tried_endpoints()) add_peer(e);
    connect_more();
}

void Torrent::stop() {
    if (stopped_) return;
    stopped_ = true;
    for (const auto& p : std::vector(peers_.begin(), peers_.end())) p->close("stopped");
    connections_.open -= peers_.size();  // none left: closing a peer removes it
    peers_.clear();
    optimistic_.reset();
}

asio::awaitable<void> Torrent::shutdown() {
    stop();
    auto alive = alive_;
    asio::steady_timer wait(executor_);
    // Pieces being written finish first, so the resume data counts them and their files'
    // times are final when it is saved.
    for (int i = 0; i < 500 && *alive && writer_.writing() > 0; ++i) {
        wait.expires_after(std::chrono::milliseconds(10));
        co_await wait.async_wait(asio::use_awaitable);
    }
    if (!*alive) co_return;
    save_resume_data();
    co_await tracker_list_.shutdown();
}

void Torrent::delete_files(std::function<void()> done) {
    files_.delete_files(std::move(done));
}

void Torrent::recheck() {
    for (const auto& p : std::vector(peers_.begin(), peers_.end())) p->close("rechecking");
    picker_ = PiecePicker(params_.info->num_pieces, params_.info->piece_length, params_.info->total_size);
    picker_.set_sequential(params_.sequential);
    picker_.set_max_partial(max_partial_pieces());
    apply_file_priorities();
    block_pieces_without_hashes();
    writer_.drop_all();
    finished_ = false;
    // The peers closed above are dialed again once the check is done.
    set_state(TorrentState::checking);
    for (const auto& e : peer_list_.tried_endpoints()) add_peer(e);
    check_existing_data(false);
}

void Torrent::save_resume_data() {
    // While checking or after a disk error the picker does not describe the files.
    if (!files_.resume_enabled() || state_ == TorrentState::checking || state_ == TorrentState::error) return;
    const TorrentStats now = stats();
    files_.save_resume(picker_.have_pieces().to_bytes(), now.all_time_uploaded, now.all_time_downloaded);
}

void Torrent::forget_resume_data() { files_.forget_resume(); }

}  // namespace shoal
