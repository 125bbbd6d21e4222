#include "session/metadata_fetch.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <random>

#include "net/tcp_stream.hpp"
#include "swarm/peer_handshake.hpp"
#include "wire/extension_handshake.hpp"
#include "wire/messages.hpp"
#include "wire/ut_metadata.hpp"

namespace shoal {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;

namespace {

constexpr auto k_connect_timeout = std::chrono::seconds(10);
constexpr auto k_idle_timeout = std::chrono::seconds(30);
// How often a quiet connection looks for metadata pieces it could be asked for.
constexpr auto k_work_poll = std::chrono::seconds(5);
constexpr std::size_t k_max_candidates = 500;
// Metadata pieces asked of one peer at a time.
constexpr int k_requests_per_peer = 2;
// Large enough for a bitfield of any torrent within the parser's limits and a metadata piece.
constexpr std::uint32_t k_max_message = 1024 * 1024;

struct Failure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

}  // namespace

MetadataFetch::MetadataFetch(asio::any_io_executor executor, const MagnetLink& magnet, wire::PeerId peer_id,
                             std::uint16_t listen_port, tracker_client::TrackerTransport& trackers, Done done,
                             Note note)
    : executor_(std::move(executor)),
      v1_(magnet.info_hash_v1),
      v2_(magnet.info_hash_v2),
      peer_id_(peer_id),
      listen_port_(listen_port),
      done_(std::move(done)),
      note_(std::move(note)) {
    if (v1_) {
        wire_hash_ = v1_->bytes;
    } else if (v2_) {
        std::copy_n(v2_->bytes.begin(), wire_hash_.size(), wire_hash_.begin());
    }
    if (!magnet.trackers.empty()) {
        tracker_client::AnnounceIdentity identity;
        identity.info_hash.bytes = wire_hash_;
        identity.peer_id = peer_id_;
        identity.port = listen_port_;
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
}

MetadataFetch::~MetadataFetch() {
    *alive_ = false;
    for (auto& [key, stream] : streams_) stream->close();
}

void MetadataFetch::start() {
    if (announcer_ && !announcing_) {
        announcing_ = true;
        asio::co_spawn(executor_, announcer_->run(), [this, alive = alive_](std::exception_ptr) {
            if (*alive) announcing_ = false;
        });
    }
    connect_more();
}

asio::awaitable<void> MetadataFetch::shutdown() {
    auto alive = alive_;
    for (auto& [key, stream] : streams_) stream->close();
    if (!announcer_) co_return;
    co_await announcer_->stop();
    asio::steady_timer wait(executor_);
    for (int i = 0; i < 50 && *alive && announcing_; ++i) {
        wait.expires_after(std::chrono::milliseconds(20));
        co_await wait.async_wait(asio::use_awaitable);
    }
}

void MetadataFetch::add_peer(const tcp::endpoint& endpoint) {
    if (finished_ || endpoint.port() == 0 || liars_.contains(endpoint.address())) return;
    if (known_.size() >= k_max_candidates || !known_.insert(endpoint).second) return;
    candidates_.push_back(endpoint);
    connect_more();
}

void MetadataFetch::connect_more() {
    while (!finished_ && !candidates_.empty() && open_.size() < static_cast<std::size_t>(k_max_connections)) {
        const tcp::endpoint endpoint = candidates_.back();
        candidates_.pop_back();
        const std::uint64_t key = next_key_++;
        open_.insert(key);
        endpoints_[key] = endpoint;
        asio::co_spawn(executor_, fetch_from(endpoint, key), asio::detached);
    }
}

asio::awaitable<void> MetadataFetch::fetch_from(tcp::endpoint endpoint, std::uint64_t key) {
    auto alive = alive_;
    std::unique_ptr<net::PeerStream> stream;
    asio::steady_timer timer(executor_);
    std::string failure;
    try {
        auto dialed = co_await net::dial_tcp(executor_, endpoint, k_connect_timeout);
        if (!*alive) co_return;
        if (!dialed) throw Failure(dialed.error().message);
        streams_[key] = dialed->get();
        auto done = co_await handshake_outgoing(std::move(*dialed), SwarmId{v1_, v2_}, peer_id_, k_connect_timeout);
        if (!*alive) co_return;
        if (!done) throw Failure(done.error().message);
        stream = std::move(done->stream);
        net::PeerStream& socket = *stream;
        if (!done->theirs.supports_extensions()) throw Failure("the peer does not speak the extension protocol");

        wire::OurExtensions extensions;
        extensions.ut_pex = false;
        extensions.listen_port = listen_port_;
        extensions.their_address = endpoint.address();
        std::string out;
        wire::encode_extended(out, 0, wire::encode_extension_handshake(extensions));
        co_await asio::async_write(socket, asio::buffer(out), asio::use_awaitable);

        std::uint8_t their_id = 0;
        std::string body;
        std::chrono::seconds quiet{};
        while (*alive && !finished_) {
            char header[4];
            // Every step has a deadline: a peer that sends a length and goes silent, or stops
            // reading, must not hold one of the few connection slots.
            timer.expires_after(k_work_poll);
            auto got = co_await (asio::async_read(socket, asio::buffer(header), asio::use_awaitable) ||
                                 timer.async_wait(asio::use_awaitable));
            if (!*alive) co_return;
            if (got.index() != 0) {
                // Quiet: still useful if it can take over pieces another peer left (a request
                // is only sent in answer to something, so look now).
                quiet += k_work_poll;
                if (quiet >= k_idle_timeout) throw Failure("the peer went quiet");
                out.clear();
                request_more(key, their_id, out);
                if (!out.empty()) co_await asio::async_write(socket, asio::buffer(out), asio::use_awaitable);
                if (!*alive) co_return;
                continue;
            }
            quiet = {};
            const std::uint32_t length = wire::read_u32(header);
            if (length > k_max_message) throw Failure("message of " + std::to_string(length) + " bytes");
            body.resize(length);
            timer.expires_after(k_idle_timeout);
            auto rest = co_await (asio::async_read(socket, asio::buffer(body), asio::use_awaitable) ||
                                  timer.async_wait(asio::use_awaitable));
            if (!*alive) co_return;
            if (rest.index() != 0) throw Failure("the peer stopped in the middle of a message");
            out.clear();
            if (!handle(key, body, their_id, out)) break;
            if (!out.empty()) {
                timer.expires_after(k_idle_timeout);
                auto sent = co_await (asio::async_write(socket, asio::buffer(out), asio::use_awaitable) ||
                                      timer.async_wait(asio::use_awaitable));
                if (!*alive) co_return;
                if (sent.index() != 0) throw Failure("the peer does not read");
            }
        }
    } catch (const Failure& f) {
        failure = f.what();
    } catch (const boost::system::system_error& e) {
        failure = e.code() == asio::error::eof ? "closed by the peer" : e.code().message();
    }
    if (!*alive) co_return;
    streams_.erase(key);
    open_.erase(key);
    endpoints_.erase(key);
    if (auto size = size_of_.find(key); size != size_of_.end()) {
        if (auto a = assemblers_.find(size->second); a != assemblers_.end()) a->second.release_peer(key);
        size_of_.erase(size);
    }
    if (!failure.empty() && !finished_) {
        note_("metadata from " + endpoint.address().to_string() + ":" + std::to_string(endpoint.port()) + ": " + failure);
    }
    connect_more();
}

wire::MetadataAssembler& MetadataFetch::assembler_for(std::uint64_t key, std::int64_t size) {
    auto it = assemblers_.find(size);
    if (it == assemblers_.end()) {
        if (assemblers_.size() >= k_max_sizes) throw Failure("too many metadata sizes announced");
        auto created = wire::MetadataAssembler::create(size, v1_, v2_);
        if (!created) throw Failure(created.error().message);
        it = assemblers_.emplace(size, std::move(*created)).first;
    }
    size_of_[key] = size;
    return it->second;
}

bool MetadataFetch::handle(std::uint64_t key, std::string_view body, std::uint8_t& their_id,
                           std::string& out) {
    if (body.empty()) return true;  // keep-alive
    auto message = wire::decode_message(body);
    if (!message) throw Failure(message.error().message);
    const auto* extended = std::get_if<wire::Extended>(&*message);
    if (!extended) return true;  // bitfields, haves, chokes: of no use before the metadata
    if (extended->id == 0) {
        auto theirs = wire::decode_extension_handshake(extended->payload);
        if (!theirs) throw Failure(theirs.error().message);
        if (!theirs->ut_metadata || !theirs->metadata_size) throw Failure("the peer does not share metadata");
        if (size_of_.contains(key)) return true;  // a second handshake changes nothing
        their_id = theirs->ut_metadata;
        auto& assembler = assembler_for(key, *theirs->metadata_size);
        for (int i = 0; i < k_requests_per_peer; ++i) {
            const auto piece = assembler.pick_piece(key);
            if (!piece) break;
            wire::encode_extended(out, their_id, wire::encode_metadata_request(*piece));
        }
        return true;
    }
    const auto size = size_of_.find(key);
    if (extended->id != wire::k_ut_metadata_id || size == size_of_.end()) return true;
    auto& assembler = assemblers_.at(size->second);
    auto metadata = wire::decode_metadata_message(extended->payload, assembler.metadata_size());
    if (!metadata) throw Failure(metadata.error().message);
    if (metadata->type == wire::MetadataType::reject) {
        assembler.on_reject(key, metadata->piece);
        throw Failure("the peer refused a metadata piece");
    }
    if (metadata->type != wire::MetadataType::data) return true;
    auto outcome = assembler.on_data(key, *metadata);
    // After a mismatch the attempt restarts: answers to requests from before are stale.
    if (!outcome && assembler.one_source()) return true;
    if (!outcome) throw Failure(outcome.error().message);
    if (outcome->status == wire::MetadataAssembler::Status::complete) {
        finish(assembler.metadata());
        return false;
    }
    if (outcome->status == wire::MetadataAssembler::Status::hash_mismatch) {
        // Proof against one peer only when it sent every piece; a mixed attempt blames nobody,
        // and the next attempts each come from a single peer.
        if (outcome->contributors.size() == 1) {
            if (auto it = endpoints_.find(outcome->contributors.front()); it != endpoints_.end()) {
                liars_.insert(it->second.address());
            }
            throw Failure("the metadata does not match the magnet link's info-hash");
        }
    }
    request_more(key, their_id, out);
    return true;
}

void MetadataFetch::request_more(std::uint64_t key, std::uint8_t their_id, std::string& out) {
    const auto size = size_of_.find(key);
    if (size == size_of_.end() || !their_id) return;
    if (const auto piece = assemblers_.at(size->second).pick_piece(key)) {
        wire::encode_extended(out, their_id, wire::encode_metadata_request(*piece));
    }
}

void MetadataFetch::finish(std::string info_bytes) {
    if (finished_) return;
    finished_ = true;
    for (auto& [key, stream] : streams_) stream->close();
    // Posted: the owner may destroy this object in `done_`.
    asio::post(executor_, [this, alive = alive_, info_bytes = std::move(info_bytes)]() mutable {
        if (!*alive) return;
        done_(std::move(info_bytes), std::vector<tcp::endpoint>(known_.begin(), known_.end()));
    });
}

}  // namespace shoal
