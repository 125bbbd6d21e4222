#include "session/torrent_peers.hpp"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "session/torrent_report.hpp"
#include "swarm/duplicate_connection.hpp"

namespace shoal {

namespace asio = boost::asio;
using report::address_text;

namespace {

constexpr auto k_connect_timeout = std::chrono::seconds(10);

}  // namespace

TorrentPeers::TorrentPeers(const SessionSettings& settings, ConnectionCount& session_count, Context context)
    : settings_(settings), session_count_(session_count), context_(std::move(context)) {}

TorrentPeers::~TorrentPeers() { alive_.end(); }

bool TorrentPeers::add_candidate(const Endpoint& endpoint, bool utp) {
    if (is_us(endpoint)) return false;
    if (utp) list_.note_utp(endpoint);
    return list_.add(endpoint);
}

int TorrentPeers::max_peers() const {
    return std::max(0, limit_ > 0 ? limit_ : settings_.max_peers_per_torrent);
}

void TorrentPeers::set_limit(int peers) {
    limit_ = std::max(0, peers);
    const auto keep = static_cast<std::size_t>(max_peers());
    if (peers_.size() <= keep) return;
    // Those trading least go first.
    std::vector<Peer> by_use = list();
    std::sort(by_use.begin(), by_use.end(), [](const Peer& a, const Peer& b) {
        return a->stats().download_rate + a->stats().upload_rate > b->stats().download_rate + b->stats().upload_rate;
    });
    for (std::size_t i = keep; i < by_use.size(); ++i) by_use[i]->close("over the torrent's peer limit");
}

void TorrentPeers::add_dialed_again() {
    for (const auto& e : list_.tried_endpoints()) list_.add(e);
}

std::size_t TorrentPeers::dial_room() const {
    // Room under the torrent's peer limit and under the session's, with the dials under way.
    const std::size_t dialing = list_.connecting();
    const auto torrent_room = max_peers() - static_cast<std::int64_t>(peers_.size() + dialing);
    const auto session_room =
        std::max(1, settings_.max_connections) - static_cast<std::int64_t>(session_count_.open + dialing);
    return static_cast<std::size_t>(std::max<std::int64_t>(0, std::min(torrent_room, session_room)));
}

void TorrentPeers::connect_more() {
    const auto due = list_.take_due(std::chrono::steady_clock::now(), dial_room(),
                                    [&](const Endpoint& e) { return connected_to(e) || is_us(e); });
    for (const auto& candidate : due) {
        spawn_dial(candidate, list_.speaks_utp(candidate.endpoint) ? Transports::DialOrder::utp_first
                                                                    : Transports::DialOrder::tcp_first);
    }
}

bool TorrentPeers::connected_to(const Endpoint& endpoint) const {
    return std::any_of(peers_.begin(), peers_.end(), [&](const auto& p) { return p->endpoint() == endpoint; });
}

void TorrentPeers::spawn_dial(PeerList::Candidate candidate, Transports::DialOrder order) {
    const Endpoint endpoint = candidate.endpoint;
    asio::co_spawn(context_.executor, dial(std::move(candidate), order),
                   [this, alive = alive_.watch(), endpoint](std::exception_ptr) {
                       if (*alive) list_.dial_ended(endpoint);
                   });
}

asio::awaitable<void> TorrentPeers::dial(PeerList::Candidate candidate, Transports::DialOrder order) {
    auto alive = alive_.watch();
    const DialEncryption encryption{settings_.encryption, list_.plain_only(candidate.endpoint)};
    auto done = co_await context_.transports.dial_peer(candidate.endpoint, context_.swarm, context_.our_id,
                                                       k_connect_timeout, encryption, order);
    if (!*alive) co_return;
    if (done) {
        if (done->fell_back_to_plain) list_.note_plain_only(candidate.endpoint);
        if (done->stream->transport() == net::Transport::utp) list_.note_utp(candidate.endpoint);
        context_.on_dialed(std::move(*done));
        co_return;
    }
    const bool holepunched = order == Transports::DialOrder::utp_only;
    context_.events(event::ConnectFailed{context_.id, address_text(candidate.endpoint),
                                         (holepunched ? "hole punch: " : "") + done.error().message});
    if (holepunched) co_return;
    list_.dial_failed(candidate, std::chrono::steady_clock::now());
    ask_for_rendezvous(candidate.endpoint);
}

TorrentPeers::Admission TorrentPeers::admit(const wire::PeerId& their_id, bool we_dialed) const {
    if (their_id == context_.our_id) return {};
    const auto same = std::find_if(peers_.begin(), peers_.end(), [&](const auto& p) { return p->peer_id() == their_id; });
    if (same != peers_.end()) {
        // Both sides keep the same one of the two connections.
        const bool replaces = we_dialed != (*same)->we_dialed() &&
                              we_dialed == keep_the_one_we_dialed(context_.our_id, their_id);
        return replaces ? Admission{true, *same} : Admission{};
    }
    if (peers_.size() >= static_cast<std::size_t>(max_peers())) return {};
    if (!session_has_room(1)) return {};
    return {true, nullptr};
}

void TorrentPeers::attach(std::unique_ptr<net::PeerStream> stream, const wire::Handshake& theirs, bool we_dialed,
                          bool accepting, bool checking) {
    const Endpoint remote = stream->remote_endpoint();
    const auto admission = admit(theirs.peer_id, we_dialed);
    if (!accepting || list_.banned(remote.address()) || !admission.admit) {
        stream->close();
        // A peer we dialed just before a check began: dial it again afterwards.
        if (checking && we_dialed) list_.refused_dialed_peer(remote, std::chrono::steady_clock::now());
        return;
    }
    if (admission.replaces) admission.replaces->close("a second connection with the same peer replaces it");
    // A peer that reached us over uTP listens for it there too.
    if (stream->transport() == net::Transport::utp) list_.note_utp(remote);
    auto peer = std::make_shared<PeerConnection>(std::move(stream), context_.host, theirs);
    peer->set_we_dialed(we_dialed);
    add(peer);
    asio::co_spawn(context_.executor, [peer]() { return peer->run(); }, asio::detached);
}

void TorrentPeers::adopt(std::vector<Peer> connections) {
    for (auto& peer : connections) {
        if (!peer->is_open()) continue;
        if (!admit(peer->peer_id(), true).admit) {
            peer->close("too many connections");
            continue;
        }
        list_.mark_dialed(peer->endpoint());
        peer->set_we_dialed(true);
        add(peer);
    }
}

void TorrentPeers::add(const Peer& peer) {
    peers_.insert(peer);
    ++session_count_.open;
    context_.events(
        event::PeerConnected{context_.id, address_text(peer->endpoint()), peer->client(), peer->encrypted(),
                             net::transport_name(peer->transport())});
}

bool TorrentPeers::remove(PeerConnection& peer, const std::string& reason, bool redial) {
    const auto it = std::find_if(peers_.begin(), peers_.end(), [&](const auto& p) { return p.get() == &peer; });
    if (it == peers_.end()) return false;
    if (optimistic_ == &peer) optimistic_.reset();
    context_.events(event::PeerDisconnected{context_.id, address_text(peer.endpoint()), reason});
    pex_schedule_.peer_gone(&peer);
    if (redial) list_.dropped(peer.endpoint(), std::chrono::steady_clock::now());
    peers_.erase(it);
    --session_count_.open;
    return true;
}

void TorrentPeers::close_all(const std::string& reason) {
    for (const auto& p : list()) p->close(reason);
    // Closing a connection removes it; one that closed without telling us goes too.
    session_count_.open -= peers_.size();
    peers_.clear();
    optimistic_.reset();
}

void TorrentPeers::rebind_device(const std::string& device) {
    for (const auto& p : list()) p->rebind_device(device);
}

void TorrentPeers::close_banned(const Address& address, const std::string& reason) {
    context_.events(event::PeerBanned{context_.id, address.to_string(), reason});
    for (const auto& p : list()) {
        if (p->endpoint().address() == address) p->close("banned: " + reason);
    }
}

bool TorrentPeers::session_has_room(std::size_t more) const {
    return session_count_.open + more <= static_cast<std::size_t>(std::max(1, settings_.max_connections));
}

choker::PeerSnapshot TorrentPeers::snapshot(const PeerConnection& p) {
    return {&p, p.peer_interested(), p.am_choking(), p.is_open(), p.last_unchoked(), p.stats().download_rate};
}

void TorrentPeers::rechoke(bool seeding, bool rotate_optimistic) {
    std::vector<choker::PeerSnapshot> snapshots;
    for (const auto& p : peers_) snapshots.push_back(snapshot(*p));
    const auto decision = choker::rechoke(std::move(snapshots), static_cast<std::size_t>(settings_.unchoke_slots),
                                          seeding, PeerConnection::Clock::now(), rotate_optimistic, optimistic_, rng_);
    optimistic_ = decision.optimistic;
    for (const auto& p : peers_) p->set_choked(!decision.unchoke.contains(p.get()));
}

void TorrentPeers::interest_changed(PeerConnection& peer) {
    const auto unchoked = static_cast<std::size_t>(
        std::count_if(peers_.begin(), peers_.end(), [](const auto& p) { return !p->am_choking(); }));
    const auto slots = static_cast<std::size_t>(settings_.unchoke_slots);
    if (auto choke = choker::on_interest(snapshot(peer), unchoked, slots)) peer.set_choked(*choke);
}

void TorrentPeers::exchange_peers() {
    std::vector<PexSchedule::PeerSnapshot> snapshots;
    for (const auto& p : peers_) {
        snapshots.push_back({p.get(), p->endpoint(), p->listen_endpoint(), p->is_seed(), p->speaks_pex(),
                             p->transport() == net::Transport::utp, p->we_dialed(), p->speaks_holepunch()});
    }
    for (auto& [peer, message] : pex_schedule_.update(snapshots, std::chrono::steady_clock::now())) {
        static_cast<PeerConnection*>(peer)->send_pex(message);
    }
}

std::size_t TorrentPeers::send_allowance() const {
    const std::size_t share = k_session_send_budget / std::max<std::size_t>(1, session_count_.open);
    return std::clamp(share, SwarmHost::k_min_send_allowance, SwarmHost::k_max_send_allowance);
}

void TorrentPeers::tick(PeerConnection::Clock::time_point now, bool seeding) {
    for (const auto& p : list()) {
        if (seeding && p->is_seed()) {
            p->close("both seeding");
        } else {
            p->tick(now);
        }
    }
}

bool TorrentPeers::out_of_sources() const {
    if (list_.connecting() > 0 || !list_.candidates().empty()) return false;
    return std::none_of(peers_.begin(), peers_.end(), [](const Peer& p) { return p->am_interested(); });
}

void TorrentPeers::metadata_arrived(const std::vector<std::uint8_t>& have) {
    for (const auto& p : list()) {
        if (p->has_metadata()) continue;
        p->metadata_arrived(context_.host);
        for (std::size_t i = 0; i < have.size() && p->is_open(); ++i) {
            if (have[i]) p->send_have(static_cast<std::uint32_t>(i));
        }
    }
}

void TorrentPeers::send_have(std::size_t piece) {
    for (const auto& p : list()) p->send_have(static_cast<std::uint32_t>(piece));
}

void TorrentPeers::update_interest() {
    for (const auto& p : list()) p->update_interest();
}

void TorrentPeers::fill_requests() {
    for (const auto& p : list()) p->fill_requests();
}

void TorrentPeers::cancel_elsewhere(const wire::BlockRequest& block, const PeerConnection& sender) {
    for (const auto& p : list()) {
        if (p.get() != &sender) p->cancel_block(block);
    }
}

std::vector<PeerInfo> TorrentPeers::describe(std::int64_t num_pieces) const {
    std::vector<PeerInfo> rows;
    for (const auto& p : peers_) rows.push_back(report::describe_peer(*p, p->we_dialed(), num_pieces));
    return rows;
}

}  // namespace shoal
