#include "session/torrent.hpp"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <random>

#include "metainfo/rename.hpp"
#include "session/torrent_disk_jobs.hpp"
#include "session/torrent_report.hpp"
#include "swarm/file_priorities.hpp"
#include "swarm/peer_handshake.hpp"

namespace shoal {

namespace asio = boost::asio;
using wire::BlockRequest;
using report::address_text;

namespace {

constexpr int k_rechoke_ticks = 10;
constexpr int k_optimistic_ticks = 30;

}  // namespace

Torrent::Torrent(TorrentId id, AddTorrentParams params, std::shared_ptr<const TorrentInfo> published,
                 const SessionServices& session)
    : id_(id),
      info_(std::move(params.info)),
      published_info_(std::move(published)),
      initial_peers_(std::move(params.peers)),
      paused_(params.paused),
      assume_complete_(params.assume_complete),
      session_(session),
      tracker_list_(session_.executor, session_.trackers, info_->trackers, *this),
      files_(id_, info_, std::move(params.save_dir), session_.disk, session_.executor, session_.resume,
             [this](std::string message) { session_.events(event::Error{id_, std::move(message)}); }),
      pieces_(info_, {params.sequential, session_.settings.piece_memory}, session_.disk, session_.executor,
              [this](std::size_t piece, const auto& outcome) { on_piece_checked(piece, outcome); }),
      peer_limit_(params.peer_limit) {
    const auto names = SwarmId::of(*info_).names();
    for (std::size_t i = 0; i < names.size() && i < stream_key_hashes_.size(); ++i) {
        stream_key_hashes_[i] = mse::req2(names[i].bytes);
    }
    pieces_.reset(std::move(params.file_priorities));
    set_rate_limits(params.upload_limit, params.download_limit);
    const auto& web_seeds = params.web_seeds ? *params.web_seeds : info_->web_seeds;
    if (!web_seeds.empty()) make_web_seeds(web_seeds);
}

tracker_client::TransferTotals Torrent::tracker_totals() {
    const TorrentStats now = stats();
    return {now.uploaded, now.downloaded, now.total_wanted - now.total_wanted_done};
}

TorrentPeers& Torrent::peers() {
    if (!peers_) {
        peers_ = std::make_unique<TorrentPeers>(
            session_.settings, session_.connections,
            TorrentPeers::Context{id_, SwarmId::of(*info_), session_.peer_id, session_.executor, session_.events, *this,
                                  session_.transports,
                                  [this](HandshakeDone done) { attach_peer(std::move(done.stream), done.theirs, true); },
                                  session_.is_own_endpoint});
        peers_->set_limit(peer_limit_);
    }
    return *peers_;
}

void Torrent::make_web_seeds(const std::vector<std::string>& urls) {
    TorrentWebSeeds::Host host;
    host.pick = [this](const Bitfield& has, std::size_t max, const std::function<bool(const BlockRequest&)>& asked) {
        return pieces_.picker().pick(has, max, asked);
    };
    host.add_source = [this](const Bitfield& pieces) { pieces_.picker().add_peer_pieces(pieces); };
    host.remove_source = [this](const Bitfield& pieces) { pieces_.picker().remove_peer_pieces(pieces); };
    host.abort = [this](const BlockRequest& block) { pieces_.picker().abort_request(block); };
    host.deliver = [this](const BlockRequest& block, std::string_view data, const asio::ip::address& sender) {
        if (!pieces_.add_block(block, data, sender, files_.storage())) return;
        transferred_.downloaded += block.length;
    };
    host.throttle = [this](std::int64_t bytes) { return throttle_download(bytes); };
    host.notice = [this](std::string message) { session_.events(event::Notice{id_, std::move(message)}); };
    // A web seed serves the files under the names the torrent gives them, whatever we call them.
    web_seeds_ = std::make_unique<TorrentWebSeeds>(published_info_, urls, session_.executor, session_.tls,
                                                   session_.transports.binding(), std::move(host));
}

void Torrent::start_web_seeds() {
    if (!web_seeds_) return;
    if (!stopped_ && !moving_ && !finished_ && session_.network_up && state_ == TorrentState::downloading) {
        web_seeds_->start();
    } else {
        web_seeds_->stop();
    }
}

void Torrent::set_web_seeds(const std::vector<std::string>& urls) {
    if (!web_seeds_) {
        if (urls.empty()) return;
        make_web_seeds({});
    }
    for (const auto& url : web_seeds_->urls()) {
        if (std::find(urls.begin(), urls.end(), url) == urls.end()) web_seeds_->remove(url);
    }
    for (const auto& url : urls) (void)web_seeds_->add(url);
    start_web_seeds();
}

Torrent::~Torrent() {
    alive_.end();
    stop();
}

std::optional<mse::StreamKey> Torrent::stream_key_for(const Sha1Hash& req2_of_skey) const {
    // The names in SwarmId::names()'s order, without making its vector (every torrent is asked
    // in turn for each encrypted connection that comes in).
    const SwarmId swarm = SwarmId::of(*info_);
    std::size_t i = 0;
    for (const std::optional<SwarmHash>& name :
         {swarm.v1 ? std::optional(swarm_hash(*swarm.v1)) : std::nullopt,
          swarm.v2 ? std::optional(swarm_hash(*swarm.v2)) : std::nullopt}) {
        if (!name) continue;
        if (stream_key_hashes_[i++] == req2_of_skey) return name->bytes;
    }
    return std::nullopt;
}

SwarmHash Torrent::wire_info_hash() const { return SwarmId::of(*info_).wire_hash(); }

bool Torrent::matches(const SwarmHash& h) const { return SwarmId::of(*info_).matches(h); }

void Torrent::set_state(TorrentState state) {
    if (state == state_) return;
    state_ = state;
    session_.events(event::StateChanged{id_, state});
}

void Torrent::start() {
    for (const auto& e : initial_peers_) add_peer(e);
    initial_peers_ = {};
    check_existing_data(true);
}

void Torrent::check_existing_data(bool allow_resume) {
    set_state(TorrentState::checking);
    if (assume_complete_) {
        assume_complete_ = false;
        on_checked(std::vector<std::uint8_t>(static_cast<std::size_t>(info_->num_pieces), 1));
        return;
    }
    files_.check(allow_resume, [this](disk_jobs::DataCheck check) {
        if (relocated_while_checking_) {
            // What was checked is not where the data is said to be any more: look there.
            std::filesystem::path to = std::move(*relocated_while_checking_);
            relocated_while_checking_.reset();
            files_.set_save_dir(std::move(to));
            session_.events(event::StorageMoved{id_, files_.save_dir()});
            return check_existing_data(false);
        }
        if (check.resumed) std::tie(transferred_.earlier_uploaded, transferred_.earlier_downloaded) = check.totals;
        if (check.resumed) session_.events(*check.resumed);
        on_checked(check.good, check.resumed && check.resumed->trusted);
    });
}

void Torrent::on_checked(const std::vector<std::uint8_t>& good, bool from_resume_data) {
    pieces_.add_checked(good);
    if (from_resume_data)
        files_.resume_matches(pieces_.have_bytes(), transferred_.earlier_uploaded, transferred_.earlier_downloaded);
    finished_ = pieces_.finished();
    if (!finished_) {
        auto created = files_.storage()->create_empty_files(pieces_.file_priorities());
        if (!created) {
            session_.events(event::Error{id_, created.error().message});
            set_state(TorrentState::error);
            return;
        }
    }
    if (paused_) {
        set_state(TorrentState::paused);
    } else {
        set_state(finished_ ? TorrentState::seeding : TorrentState::downloading);
    }
    // What the check found goes with the new state, not a tick later.
    if (finished_) {
        report_finished(false);
    } else {
        report_stats(false);
    }
    // Connections taken over from a magnet link's fetch carry on, unless the torrent is paused.
    if (paused_) {
        if (peers_) peers_->close_all("paused");
    } else {
        if (peers_) peers_->metadata_arrived(good);
        tracker_list_.start();
    }
    connect_more();
    start_web_seeds();
}

void Torrent::report_stats(bool only_if_changed) {
    TorrentStats now = stats();
    if (only_if_changed && now == reported_) return;
    reported_ = now;
    session_.events(event::Stats{id_, std::move(now)});
}

void Torrent::report_finished(bool downloaded) {
    report_stats(false);
    session_.events(event::TorrentFinished{id_, downloaded});
    save_resume_data();
}

void Torrent::adopt(std::vector<std::shared_ptr<PeerConnection>> connections,
                    std::unique_ptr<tracker_client::Announcer> announcer) {
    if (announcer) tracker_list_.adopt(std::move(announcer));
    for (auto& peer : connections) peer->move_to(*this);
    peers().adopt(std::move(connections));
}

tracker_client::AnnounceIdentity Torrent::announce_identity() const {
    tracker_client::AnnounceIdentity identity;
    identity.info_hash = wire_info_hash();
    identity.peer_id = session_.peer_id;
    identity.port = session_.announce_port;
    identity.key = static_cast<std::uint32_t>(std::random_device{}());
    return identity;
}

void Torrent::on_tracker_update(const tracker_client::TrackerUpdate& u) {
    if (u.ok) {
        for (const auto& e : u.peers) add_peer(e);
        if (u.external_ip && u.tracker_address) session_.report_external_address(*u.external_ip, *u.tracker_address);
    }
    std::string message = tracker_list_.record(u);
    session_.events(event::TrackerReply{id_, u.url, static_cast<int>(u.peers.size()), std::move(message), u.ok});
}

void Torrent::set_file_priority(std::size_t file, int priority) {
    const std::size_t files = info_->files.size();
    if (file >= files) return;
    std::vector<int> priorities = pieces_.file_priorities();
    if (priorities.empty()) priorities.assign(files, 4);
    priorities[file] = std::clamp(priority, 0, 7);
    pieces_.set_file_priorities(std::move(priorities));
    const bool was_finished = finished_;
    finished_ = pieces_.finished();
    if (was_finished && !finished_ && state_ == TorrentState::seeding) set_state(TorrentState::downloading);
    if (peers_) peers_->update_interest();
    start_web_seeds();
}

void Torrent::set_rate_limits(std::int64_t upload, std::int64_t download) {
    if (!limits_) {
        if (upload <= 0 && download <= 0) return;
        limits_ = std::make_shared<RateLimits>();
    }
    limits_->upload.set_rate(upload);
    limits_->download.set_rate(download);
}

void Torrent::set_peer_limit(int peers) {
    peer_limit_ = peers;
    if (peers_) peers_->set_limit(peers);
}

asio::awaitable<void> Torrent::throttle_upload(std::int64_t bytes) {
    return acquire_both(limits_, session_.global_limits, &RateLimits::upload, bytes);
}

asio::awaitable<void> Torrent::throttle_download(std::int64_t bytes) {
    return acquire_both(limits_, session_.global_limits, &RateLimits::download, bytes);
}

void Torrent::add_peer(const tcp::endpoint& endpoint) {
    if (peers().add_candidate(endpoint)) connect_more();
}

void Torrent::device_recreated() {
    if (peers_) peers_->rebind_device(session_.settings.network_interface);
}

void Torrent::connect_more() {
    if (!session_.network_up || moving_) return;
    if (peers_ && !stopped_ && (state_ == TorrentState::downloading || state_ == TorrentState::seeding)) {
        peers_->connect_more();
    }
}

void Torrent::attach_peer(std::unique_ptr<net::PeerStream> stream, const wire::Handshake& theirs, bool we_dialed) {
    // Not while checking: the bitfield we send first would not yet show what we have.
    const bool taking = !stopped_ && !moving_ && (state_ == TorrentState::downloading || state_ == TorrentState::seeding);
    peers().attach(std::move(stream), theirs, we_dialed, taking, state_ == TorrentState::checking);
}

void Torrent::on_peer_closed(PeerConnection& peer, const std::string& reason) {
    if (!peers_ || !peers_->remove(peer, reason, !finished_ && !stopped_)) return;
    transferred_.uploaded_to_gone += peer.stats().uploaded;
    pieces_.peer_gone(peer);
    request_piece_layers();
    // The blocks it had asked for are free for the web seeds.
    start_web_seeds();
}

void Torrent::on_peer_interest_changed(PeerConnection& peer) {
    if (peers_) peers_->interest_changed(peer);
}

void Torrent::on_block(PeerConnection& peer, const BlockRequest& block, std::string_view data) {
    if (!pieces_.add_block(block, data, peer.endpoint().address(), files_.storage())) return;
    transferred_.downloaded += block.length;
    if (peers_ && pieces_.in_endgame()) peers_->cancel_elsewhere(block, peer);
}

void Torrent::on_piece_checked(std::size_t piece, const PieceWriter::Outcome& outcome) {
    using Kind = PieceWriter::Outcome::Kind;
    if (outcome.kind == Kind::write_error) {
        session_.events(event::Error{id_, outcome.write_error});
        set_state(TorrentState::error);
        if (peers_) peers_->close_all("disk error");
        return;
    }
    if (outcome.kind == Kind::failed) {
        session_.events(event::HashFailed{id_, static_cast<std::int64_t>(piece)});
        for (const auto& [address, reason] : outcome.bans) ban(address, reason);
    } else {
        for (const auto& [address, reason] : outcome.bans) ban(address, reason);
        session_.events(event::PieceFinished{id_, static_cast<std::int64_t>(piece)});
        if (peers_) peers_->send_have(piece);
        if (!finished_ && pieces_.finished()) {
            finished_ = true;
            set_state(TorrentState::seeding);
            report_finished(true);
            tracker_list_.download_completed();
            if (peers_) peers_->update_interest();
            start_web_seeds();
        }
    }
    if (peers_) peers_->fill_requests();
    // A web seed that found nothing to ask for while pieces were being checked may now.
    start_web_seeds();
}

void Torrent::request_piece_layers() {
    if (!stopped_) pieces_.request_layers(std::chrono::steady_clock::now());
}

bool Torrent::pex_enabled() const { return session_.settings.enable_pex && !info_->is_private; }

void Torrent::on_pex(PeerConnection& peer, const wire::PexMessage& message) {
    if (peers().add_from_pex(peer, message)) connect_more();
}

bool Torrent::holepunch_enabled() const {
    return session_.settings.enable_holepunch && !info_->is_private && session_.transports.utp_enabled();
}

void Torrent::on_holepunch(PeerConnection& peer, const wire::HolepunchMessage& message) {
    if (!stopped_ && session_.network_up) peers().on_holepunch(peer, message);
}

void Torrent::on_address_reported(PeerConnection& peer, const boost::asio::ip::address& address) {
    session_.report_external_address(address, peer.endpoint().address());
}

void Torrent::on_peer_ready(PeerConnection& peer) {
    pieces_.peer_ready(peer);
    request_piece_layers();
}

std::optional<std::vector<Sha256Hash>> Torrent::answer_hashes(const wire::HashRequest& request) {
    return pieces_.answer_hashes(request);
}

void Torrent::on_hashes(PeerConnection& peer, const wire::Hashes& hashes) {
    auto unblocked = pieces_.on_hashes(peer, hashes);
    if (!unblocked) {
        strike(peer.endpoint().address(), "sent " + unblocked.error().message);
    } else if (*unblocked && peers_) {
        peers_->fill_requests();
    }
    request_piece_layers();
}

void Torrent::on_hash_reject(PeerConnection& peer, const wire::HashRequest& request) {
    pieces_.on_hash_reject(peer, request);
    request_piece_layers();
}

void Torrent::strike(const asio::ip::address& address, const std::string& reason) {
    if (peers().strike(address)) ban(address, reason);
}

void Torrent::ban(const asio::ip::address& address, const std::string& reason) {
    if (web_seeds_ && web_seeds_->is_seed(address)) {
        web_seeds_->drop(address, reason);
        pieces_.discard_blocks_from(address);
        return;
    }
    if (!peers().ban(address)) return;
    // What it sent to pieces still in progress is asked for again from others.
    pieces_.discard_blocks_from(address);
    peers_->close_banned(address, reason);
}

asio::awaitable<std::vector<std::string>> Torrent::read_blocks(std::vector<BlockRequest> blocks) {
    return files_.read_blocks(std::move(blocks));
}

void Torrent::tick() {
    if (stopped_) return;
    ++ticks_;
    const auto now = PeerConnection::Clock::now();
    if (peers_) peers_->tick(now, finished_ && pieces_.all_had());
    pieces_.abandon_stranded();
    // A complete torrent nobody is connected to lets go of its picker (a web seed's pieces
    // still counted keep it: see TorrentPieces::fold).
    if (finished_ && (!peers_ || peers_->size() == 0)) pieces_.fold();
    if (state_ == TorrentState::downloading || state_ == TorrentState::seeding) {
        if (peers_ && ticks_ % k_rechoke_ticks == 0) peers_->rechoke(finished_, ticks_ % k_optimistic_ticks == 0);
        if (peers_ && pex_enabled()) peers_->exchange_peers();
        connect_more();
        // Hash requests past their deadline go to other peers.
        request_piece_layers();
        if (!finished_ && (!peers_ || peers_->out_of_sources())) tracker_list_.want_peers();
    }
    if (web_seeds_) {
        web_seeds_->tick();
        // Seeds whose wait is over, or that had nothing to do, look again.
        start_web_seeds();
    }
    report_stats(true);
}

TorrentStats Torrent::stats() const {
    TorrentStats s = report::torrent_stats(state_, *info_, pieces_, peers_.get(), transferred_);
    if (web_seeds_) {
        s.download_rate += web_seeds_->download_rate();
        s.web_seeds = web_seeds_->active();
    }
    return s;
}

event::Details Torrent::details() const {
    event::Details d;
    d.id = id_;
    d.have = pieces_.have_bytes();
    if (peers_) d.peers = peers_->describe(info_->num_pieces);
    d.trackers = tracker_list_.trackers(std::chrono::steady_clock::now());
    if (web_seeds_) d.web_seeds = web_seeds_->describe();
    return d;
}

void Torrent::rename_file(std::size_t file, std::string name) {
    auto renamed = with_file_renamed(*info_, file, name);
    if (!renamed) return session_.events(event::Error{id_, renamed.error().message});
    // Writes queued for the old storage land first; then the name changes.
    pieces_.when_written([this, file, name = std::move(name)] {
        if (auto moved = files_.rename(file, name); !moved) return session_.events(event::Error{id_, moved.error().message});
        info_ = files_.info();
        save_resume_data();
        session_.events(event::FileRenamed{id_, file, name, info_});
    });
}

void Torrent::move_storage(std::filesystem::path to, bool move) {
    if (moving_) return session_.events(event::Error{id_, "cannot move the data: a move is under way"});
    if (state_ == TorrentState::checking) {
        if (move) return session_.events(event::Error{id_, "cannot move the data while it is being checked"});
        // The data is said to be elsewhere (no move): once this check ends, it is looked for there.
        relocated_while_checking_ = std::make_unique<std::filesystem::path>(std::move(to));
        return;
    }
    if (!move) {
        files_.set_save_dir(std::move(to));
        session_.events(event::StorageMoved{id_, files_.save_dir()});
        recheck();
        return;
    }
    moving_ = true;
    if (peers_) peers_->close_all("moving the data");
    start_web_seeds();
    // Writes queued for the old folder land first; then the files move.
    pieces_.when_written([this, to = std::move(to)]() mutable {
        files_.move_storage(std::move(to), [this](Result<bool> moved) {
            moving_ = false;
            if (moved) {
                session_.events(event::StorageMoved{id_, files_.save_dir()});
                save_resume_data();
            } else {
                session_.events(event::Error{id_, moved.error().message});
            }
            if (stopped_ || (state_ != TorrentState::downloading && state_ != TorrentState::seeding)) return;
            if (peers_) peers_->add_dialed_again();
            connect_more();
            start_web_seeds();
        });
    });
}

void Torrent::set_trackers(std::vector<Tier> tiers) { tracker_list_.set_trackers(std::move(tiers)); }

void Torrent::reannounce() { tracker_list_.reannounce(); }

void Torrent::pause() {
    if (state_ == TorrentState::paused || state_ == TorrentState::checking) {
        paused_ = true;
        return;
    }
    paused_ = true;
    if (peers_) peers_->close_all("paused");
    tracker_list_.stop();
    set_state(TorrentState::paused);
    start_web_seeds();
    save_resume_data();
}

void Torrent::resume() {
    paused_ = false;
    if (state_ != TorrentState::paused) return;
    set_state(finished_ ? TorrentState::seeding : TorrentState::downloading);
    tracker_list_.start();
    if (peers_) peers_->add_dialed_again();
    connect_more();
    start_web_seeds();
}

void Torrent::stop() {
    if (stopped_) return;
    stopped_ = true;
    if (peers_) peers_->close_all("stopped");
    start_web_seeds();
}

asio::awaitable<void> Torrent::shutdown() {
    stop();
    auto alive = alive_.watch();
    asio::steady_timer wait(session_.executor);
    // Pieces being written finish first, so the resume data counts them and their files'
    // times are final when it is saved.
    for (int i = 0; i < 500 && *alive && pieces_.writing() > 0; ++i) {
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
    if (peers_) peers_->close_all("rechecking");
    pieces_.reset(pieces_.file_priorities());
    finished_ = false;
    // The peers closed above are dialed again once the check is done.
    set_state(TorrentState::checking);
    start_web_seeds();
    if (peers_) peers_->add_dialed_again();
    check_existing_data(false);
}

void Torrent::save_resume_data() {
    // While checking or after a disk error the picker does not describe the files.
    if (!files_.resume_enabled() || state_ == TorrentState::checking || state_ == TorrentState::error) return;
    const TorrentStats now = stats();
    files_.save_resume(pieces_.have_bytes(), now.all_time_uploaded, now.all_time_downloaded);
}

void Torrent::forget_resume_data() { files_.forget_resume(); }

}  // namespace shoal
