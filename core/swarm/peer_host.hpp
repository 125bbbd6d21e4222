#pragma once
// What a peer connection needs from its owner. SwarmHost is enough for a connection of a
// torrent whose metadata is still being fetched (a magnet link): identity, rate limits, PEX
// and the metadata exchange. PeerHost, the torrent's side, adds pieces and hashes.
// Implemented by Torrent and MetadataFetch; tests stand in for either.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>
#include <optional>
#include <string>
#include <vector>

#include "metainfo/torrent_info.hpp"
#include "swarm/piece_picker.hpp"
#include "wire/handshake.hpp"
#include "wire/messages.hpp"
#include "wire/ut_holepunch.hpp"
#include "wire/ut_metadata.hpp"
#include "wire/ut_pex.hpp"

namespace shoal {

class PeerConnection;

class SwarmHost {
public:
    virtual ~SwarmHost() = default;

    virtual const wire::PeerId& our_peer_id() const = 0;
    virtual std::uint16_t listen_port() const = 0;
    // The 20-byte info-hash the torrent is known by on the wire.
    virtual SwarmHash wire_info_hash() const = 0;
    // Wait until rate limits let `bytes` more pass.
    virtual boost::asio::awaitable<void> throttle_upload(std::int64_t bytes) = 0;
    virtual boost::asio::awaitable<void> throttle_download(std::int64_t bytes) = 0;
    // How much output one connection may hold, queued and being written (pieces are not
    // read for it beyond this): between these two, as a session shares its budget among its
    // connections.
    static constexpr std::size_t k_min_send_allowance = 128 * 1024;
    static constexpr std::size_t k_max_send_allowance = 2 * 1024 * 1024;
    virtual std::size_t send_allowance() const { return k_max_send_allowance; }

    virtual void on_peer_closed(PeerConnection& peer, const std::string& reason) = 0;
    // Our opening messages are queued: other messages may follow now.
    virtual void on_peer_ready(PeerConnection& peer) = 0;

    // Peer exchange (BEP 11): whether it is on for this torrent, and what a peer told us.
    virtual bool pex_enabled() const = 0;
    virtual void on_pex(PeerConnection& peer, const wire::PexMessage& message) = 0;

    // Hole punching (BEP 55): whether we speak it in this swarm, and a message a peer sent.
    virtual bool holepunch_enabled() const { return false; }
    virtual void on_holepunch(PeerConnection&, const wire::HolepunchMessage&) {}

    // The peer's extension handshake arrived (what it speaks is on the connection).
    virtual void on_extension_handshake(PeerConnection&) {}
    // The peer's extension handshake says where it sees us ("yourip", BEP 10).
    virtual void on_address_reported(PeerConnection&, const boost::asio::ip::address&) {}
    // BEP 9 data or reject answering our metadata request, checked against the size the
    // peer announced (only while the connection has no torrent metadata).
    virtual void on_metadata(PeerConnection&, const wire::MetadataMessage&) {}
};

class PeerHost : public SwarmHost {
public:
    virtual const TorrentInfo& info() const = 0;
    virtual PiecePicker& picker() = 0;

    // A block we asked for arrived (already checked against the picker by the caller).
    virtual void on_block(PeerConnection& peer, const wire::BlockRequest& block,
                          std::string_view data) = 0;
    // Reads blocks we have for a peer that asked, in one disk job, each as a complete
    // `piece` message read straight into its buffer; an empty string stands for a block
    // that could not be read.
    virtual boost::asio::awaitable<std::vector<std::string>> read_blocks(
        std::vector<wire::BlockRequest> blocks) = 0;
    // The peer became interested or not: a chance to unchoke it without waiting.
    virtual void on_peer_interest_changed(PeerConnection& peer) = 0;

    // BEP 52: the hashes answering a peer's hash request, or nullopt to reject it.
    virtual std::optional<std::vector<Sha256Hash>> answer_hashes(const wire::HashRequest& request) = 0;
    // Answers to our hash requests.
    virtual void on_hashes(PeerConnection& peer, const wire::Hashes& hashes) = 0;
    virtual void on_hash_reject(PeerConnection& peer, const wire::HashRequest& request) = 0;
};

}  // namespace shoal
