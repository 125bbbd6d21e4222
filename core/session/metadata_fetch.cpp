#include "session/metadata_fetch.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <random>

#include "swarm/peer_handshake.hpp"

namespace shoal {

namespace asio = boost::asio;

namespace {

constexpr auto k_connect_timeout = std::chrono::seconds(10);
// A connection that has brought nothing useful for this long gives its slot to another peer.
constexpr auto k_idle_timeout = std::chrono::seconds(30);
constexpr std::size_t k_max_candidates = 500;
// Metadata pieces asked of one peer at a time.
constexpr int k_requests_per_peer = 2;

std::string endpoint_text(const asio::ip::tcp::endpoint& e) {
    return e.address().to_string() + ":" + std::to_string(e.port());
}

}  // namespace

MetadataFetch::MetadataFetch(asio::any_io_executor executor, Transports& transports, const MagnetLink& magnet,
                             wire::PeerId peer_id, std::uint16_t listen_port, std::uint16_t announce_port,
                             tracker_client::TrackerTransport& trackers, Done done, Note note)
    : executor_(std::move(executor)),
      transports_(transports),
      swarm_(SwarmId::of(magnet)),
      peer_id_(peer_id),
      listen_port_(listen_port),
      done_(std::move(done)),
      note_(std::move(note)) {
    if (magnet.trackers.empty()) return;
    tracker_client::AnnounceIdentity identity;
    identity.info_hash = swarm_.wire_hash();
    identity.peer_id = peer_id_;
    identity.port = announce_port;
    identity.key = static_cast<std::uint32_t>(std::random_device{}());
    std::vector<std::vector<std::string>> tiers;
    for (const auto& url : magnet.trackers) tiers.push_back({url});
    announcer_ = std::make_unique<tracker_client::Announcer>(
        executor_, identity, std::move(tiers), trackers,
        // Nothing is known of the size yet; any amount left marks us as a leech.
        [] { return tracker_client::TransferTotals{0, 0, 1}; },
        [this](const tracker_client::TrackerUpdate& u) {
            if (u.ok) {
                for (const auto& e : u.peers) add_peer(e);
            }
            note_("tracker " + u.url + (u.ok ? ": " + std::to_string(u.peers.size()) + " peers" : " failed: " + u.message));
        });
}

MetadataFetch::~MetadataFetch() {
    alive_.end();
    for (auto& [key, c] : connections_) {
        c.peer->detach();
        c.peer->close("stopped");
    }
}

void MetadataFetch::start() {
    if (announcer_ && !announcer_->running()) announcer_->start();
    connect_more();
}

asio::awaitable<void> MetadataFetch::shutdown() {
    auto alive = alive_.watch();
    finished_ = true;
    std::vector<std::shared_ptr<PeerConnection>> open;
    for (auto& [key, c] : connections_) open.push_back(c.peer);
    for (auto& peer : open) peer->close("stopped");
    if (!announcer_) co_return;
    co_await announcer_->stop();
    asio::steady_timer wait(executor_);
    for (int i = 0; i < 50 && *alive && announcer_ && announcer_->running(); ++i) {
        wait.expires_after(std::chrono::milliseconds(20));
        co_await wait.async_wait(asio::use_awaitable);
    }
}

void MetadataFetch::set_announce_port(std::uint16_t port) {
    if (!announcer_) return;
    announcer_->set_port(port);
    announcer_->reannounce();
}

void MetadataFetch::add_peer(const tcp::endpoint& endpoint) {
    if (finished_ || endpoint.port() == 0 || liars_.contains(endpoint.address())) return;
    if (known_.size() >= k_max_candidates || !known_.insert(endpoint).second) return;
    candidates_.push_back(endpoint);
    connect_more();
}

void MetadataFetch::connect_more() {
    while (!finished_ && !candidates_.empty() &&
           connections_.size() + dialing_ < static_cast<std::size_t>(k_max_connections)) {
        const tcp::endpoint endpoint = candidates_.back();
        candidates_.pop_back();
        ++dialing_;
        asio::co_spawn(executor_, dial(endpoint), asio::detached);
    }
}

asio::awaitable<void> MetadataFetch::dial(tcp::endpoint endpoint) {
    auto alive = alive_.watch();
    std::string failure;
    auto done = co_await transports_.dial_peer(endpoint, swarm_, peer_id_, k_connect_timeout,
                                               DialEncryption{encryption_},
                                               Transports::DialOrder::tcp_first);
    if (!*alive) co_return;
    if (!done) {
        failure = done.error().message;
    } else if (!done->theirs.supports_extensions()) {
        failure = "the peer does not speak the extension protocol";
    } else if (!finished_) {
        auto peer = std::make_shared<PeerConnection>(std::move(done->stream), static_cast<SwarmHost&>(*this),
                                                     done->theirs);
        connections_[peer.get()] = Connection{next_key_++, peer, std::nullopt, std::chrono::steady_clock::now()};
        asio::co_spawn(executor_, [peer] { return peer->run(); }, asio::detached);
    }
    --dialing_;
    if (!failure.empty() && !finished_) note_("metadata from " + endpoint_text(endpoint) + ": " + failure);
    connect_more();
}

MetadataFetch::Connection* MetadataFetch::find(PeerConnection& peer) {
    auto it = connections_.find(&peer);
    return it == connections_.end() ? nullptr : &it->second;
}

void MetadataFetch::on_peer_closed(PeerConnection& peer, const std::string& reason) {
    auto it = connections_.find(&peer);
    if (it == connections_.end()) return;
    const Connection c = std::move(it->second);
    connections_.erase(it);
    if (c.size) {
        if (auto a = assemblers_.find(*c.size); a != assemblers_.end()) a->second.release_peer(c.key);
    }
    if (finished_) return;
    note_("metadata from " + endpoint_text(peer.endpoint()) + ": " + reason);
    connect_more();
}

wire::MetadataAssembler* MetadataFetch::assembler_for(std::int64_t size, std::string& why) {
    auto it = assemblers_.find(size);
    if (it == assemblers_.end()) {
        if (assemblers_.size() >= k_max_sizes) {
            why = "too many metadata sizes announced";
            return nullptr;
        }
        auto created = wire::MetadataAssembler::create(size, swarm_.v1, swarm_.v2);
        if (!created) {
            why = created.error().message;
            return nullptr;
        }
        it = assemblers_.emplace(size, std::move(*created)).first;
    }
    return &it->second;
}

void MetadataFetch::on_extension_handshake(PeerConnection& peer) {
    Connection* c = find(peer);
    if (!c || c->size) return;  // a second handshake changes nothing
    if (!peer.speaks_metadata() || !peer.their_metadata_size()) return peer.close("the peer does not share metadata");
    std::string why;
    if (!assembler_for(*peer.their_metadata_size(), why)) return peer.close(why);
    c->size = peer.their_metadata_size();
    c->last_useful = std::chrono::steady_clock::now();
    request_more(*c, k_requests_per_peer);
}

void MetadataFetch::on_metadata(PeerConnection& peer, const wire::MetadataMessage& message) {
    Connection* c = find(peer);
    if (!c || !c->size || finished_) return;
    auto& assembler = assemblers_.at(*c->size);
    if (message.type == wire::MetadataType::reject) {
        assembler.on_reject(c->key, message.piece);
        return peer.close("the peer refused a metadata piece");
    }
    auto outcome = assembler.on_data(c->key, message);
    // After a mismatch the attempt restarts: answers to requests from before are stale.
    if (!outcome && assembler.one_source()) return;
    if (!outcome) return peer.close(outcome.error().message);
    c->last_useful = std::chrono::steady_clock::now();
    if (outcome->status == wire::MetadataAssembler::Status::complete) return finish(assembler.metadata());
    if (outcome->status == wire::MetadataAssembler::Status::hash_mismatch && outcome->contributors.size() == 1) {
        // Proof against one peer only when it sent every piece; a mixed attempt blames nobody,
        // and the next attempts each come from a single peer.
        for (auto& [key, other] : connections_) {
            if (other.key == outcome->contributors.front()) liars_.insert(other.peer->endpoint().address());
        }
        if (liars_.contains(peer.endpoint().address())) {
            return peer.close("the metadata does not match the magnet link's info-hash");
        }
    }
    request_more(*c, 1);
}

void MetadataFetch::request_more(Connection& c, int limit) {
    if (!c.size) return;
    auto& assembler = assemblers_.at(*c.size);
    for (int i = 0; i < limit; ++i) {
        const auto piece = assembler.pick_piece(c.key);
        if (!piece) break;
        c.peer->send_metadata_request(*piece);
    }
}

void MetadataFetch::tick() {
    if (finished_) return;
    const auto now = std::chrono::steady_clock::now();
    std::vector<std::shared_ptr<PeerConnection>> quiet;
    for (auto& [key, c] : connections_) {
        if (now - c.last_useful > k_idle_timeout) {
            quiet.push_back(c.peer);
            continue;
        }
        c.peer->tick(now);
        // A quiet connection may take over pieces another peer left.
        request_more(c, 1);
    }
    for (auto& peer : quiet) peer->close("the peer went quiet");
    // Everyone heard of is tried and gone: the trackers may know of others by now.
    if (announcer_ && connections_.empty() && dialing_ == 0 && candidates_.empty()) announcer_->want_peers();
}

void MetadataFetch::finish(std::string info_bytes) {
    if (finished_) return;
    finished_ = true;
    // Posted: the owner may destroy this object in `done_`.
    asio::post(executor_, [this, alive = alive_.watch(), info_bytes = std::move(info_bytes)]() mutable {
        if (!*alive) return;
        MetadataFetched fetched;
        fetched.info_bytes = std::move(info_bytes);
        fetched.peers.assign(known_.begin(), known_.end());
        for (auto& [key, c] : connections_) {
            if (c.peer->is_open()) fetched.connections.push_back(c.peer);
        }
        connections_.clear();
        fetched.announcer = std::move(announcer_);
        done_(std::move(fetched));
    });
}

}  // namespace shoal
