// PeerConnection: the extension protocol (BEP 10) and what rides on it, peer exchange
// (BEP 11), hole punching (BEP 55) and metadata (BEP 9), including the mode without metadata
// of a magnet link's connection and its end once the torrent is known.
#include "swarm/peer_connection.hpp"

#include <algorithm>

#include "wire/extension_handshake.hpp"
#include "wire/ut_holepunch.hpp"
#include "wire/ut_metadata.hpp"

namespace shoal {

void PeerConnection::send_extension_handshake() {
    wire::OurExtensions ours;
    ours.ut_pex = host_->pex_enabled();
    ours.ut_holepunch = host_->holepunch_enabled();
    if (torrent_) ours.metadata_size = static_cast<std::int64_t>(torrent_->info().info_bytes.size());
    ours.listen_port = host_->listen_port();
    ours.max_requests = static_cast<std::int64_t>(k_max_incoming_requests);
    ours.their_address = endpoint_.address();
    std::string out;
    wire::encode_extended(out, 0, wire::encode_extension_handshake(ours));
    send(std::move(out));
}

void PeerConnection::send_pex(const wire::PexMessage& message) {
    if (!their_ut_pex_ || !open_) return;
    std::string out;
    wire::encode_extended(out, their_ut_pex_, wire::encode_pex(message));
    send(std::move(out));
}

void PeerConnection::send_holepunch(const wire::HolepunchMessage& message) {
    if (!their_ut_holepunch_ || !open_) return;
    std::string out;
    wire::encode_extended(out, their_ut_holepunch_, wire::encode_holepunch(message));
    send(std::move(out));
}

void PeerConnection::handle_extended(const wire::Extended& e) {
    if (e.id == 0) {
        auto theirs = wire::decode_extension_handshake(e.payload);
        if (!theirs) return protocol_error(theirs.error().message);
        if (theirs->max_requests) {
            their_max_requests_ = static_cast<std::size_t>(std::clamp<std::int64_t>(*theirs->max_requests, 1, 2000));
        }
        if (!theirs->client.empty()) client_name_ = theirs->client;
        their_ut_metadata_ = theirs->ut_metadata;
        their_ut_pex_ = theirs->ut_pex;
        their_ut_holepunch_ = theirs->ut_holepunch;
        their_listen_port_ = theirs->listen_port;
        if (!torrent_ && !their_metadata_size_) their_metadata_size_ = theirs->metadata_size;
        if (theirs->our_address) host_->on_address_reported(*this, *theirs->our_address);
        host_->on_extension_handshake(*this);
    } else if (e.id == wire::k_ut_metadata_id && !torrent_) {
        // Without metadata: answers to our requests go to the owner, checked against the size
        // the peer announced (once: a later handshake cannot move it); its requests are refused.
        if (!their_metadata_size_) return protocol_error("metadata message before its size");
        auto message = wire::decode_metadata_message(e.payload, *their_metadata_size_);
        if (!message) return protocol_error(message.error().message);
        if (message->type == wire::MetadataType::request) {
            if (!their_ut_metadata_) return;
            std::string out;
            wire::encode_extended(out, their_ut_metadata_, wire::encode_metadata_reject(message->piece));
            return send(std::move(out));
        }
        if (message->type == wire::MetadataType::data || message->type == wire::MetadataType::reject) {
            host_->on_metadata(*this, *message);
        }
    } else if (e.id == wire::k_ut_metadata_id) {
        const std::string& info_bytes = torrent_->info().info_bytes;
        auto message = wire::decode_metadata_message(e.payload, static_cast<std::int64_t>(info_bytes.size()));
        if (!message) return protocol_error(message.error().message);
        if (message->type != wire::MetadataType::request || !their_ut_metadata_) return;
        // Each piece a few times over is plenty; beyond that a peer only costs us bandwidth.
        const auto pieces = wire::metadata_piece_count(static_cast<std::int64_t>(info_bytes.size()));
        const bool served_enough = ++metadata_requests_ > 4 * std::size_t{pieces} + 16;
        std::string out;
        wire::encode_extended(out, their_ut_metadata_,
                              served_enough ? wire::encode_metadata_reject(message->piece)
                                            : wire::serve_metadata_request(info_bytes, message->piece));
        send(std::move(out));
    } else if (e.id == wire::k_ut_pex_id && host_->pex_enabled()) {
        // BEP 11 allows one message a minute; a peer sending far more is only ignored.
        const auto now = Clock::now();
        if (last_pex_received_ && now - *last_pex_received_ < std::chrono::seconds(20)) return;
        last_pex_received_ = now;
        auto message = wire::decode_pex(e.payload);
        if (!message) return protocol_error(message.error().message);
        host_->on_pex(*this, *message);
    } else if (e.id == wire::k_ut_holepunch_id && host_->holepunch_enabled()) {
        // BEP 55: a peer that did not say it speaks the extension is ignored; so is one
        // sending more than a relay or an initiator has reason to.
        if (!their_ut_holepunch_) return;
        const auto now = Clock::now();
        if (!holepunch_window_start_ || now - *holepunch_window_start_ >= k_holepunch_window) {
            holepunch_window_start_ = now;
            holepunch_messages_ = 0;
        }
        if (++holepunch_messages_ > k_max_holepunch_messages) return;
        auto message = wire::decode_holepunch(e.payload);
        if (!message) return protocol_error(message.error().message);
        host_->on_holepunch(*this, *message);
    }
}

std::optional<PeerConnection::tcp::endpoint> PeerConnection::listen_endpoint() const {
    if (we_dialed_) return endpoint_;
    if (their_listen_port_) return tcp::endpoint(endpoint_.address(), *their_listen_port_);
    return std::nullopt;
}

void PeerConnection::send_metadata_request(std::uint32_t piece) {
    if (!their_ut_metadata_) return;
    std::string out;
    wire::encode_extended(out, their_ut_metadata_, wire::encode_metadata_request(piece));
    send(std::move(out));
}

void PeerConnection::metadata_arrived(PeerHost& torrent) {
    if (torrent_ || !open_) return;
    host_ = torrent_ = &torrent;
    const auto num_pieces = static_cast<std::size_t>(torrent.info().num_pieces);
    Bitfield pieces(num_pieces, early_.have_all);
    if (!early_.bitfield.empty()) {
        auto bits = Bitfield::from_bytes(early_.bitfield, num_pieces);
        if (!bits) return protocol_error("bitfield of the wrong size");
        pieces = std::move(*bits);
    }
    for (const std::uint32_t piece : early_.haves) {
        if (piece >= num_pieces) return protocol_error("have for piece out of range");
        pieces.set(piece);
    }
    early_ = {};
    pieces_ = Bitfield(num_pieces);
    allowed_fast_in_ = Bitfield(num_pieces);
    torrent.on_peer_ready(*this);
    set_pieces(std::move(pieces));
}

}  // namespace shoal
