#pragma once
// The one handshake step every connection goes through, dialed, accepted or opened for a
// magnet link: it turns a stream into the peer's handshake and the stream to carry on with
// (encrypted or not), ready for the message loop (PeerConnection). Message Stream Encryption
// by policy, info-hash matching and BEP 52's v2 upgrade live here.

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <memory>

#include "encryption/encryption_policy.hpp"
#include "encryption/mse_handshake.hpp"
#include "net/dial.hpp"
#include "net/peer_stream.hpp"
#include "swarm/swarm_id.hpp"
#include "util/result.hpp"
#include "wire/handshake.hpp"

namespace shoal {

struct HandshakeDone {
    wire::Handshake theirs;
    std::unique_ptr<net::PeerStream> stream;  // stream->encrypted() says how it went
    // Dialed with `prefer`: the peer did not speak MSE and a plain redial worked.
    bool fell_back_to_plain = false;
};

// We opened the connection: ours goes first, and their answer must name the same swarm.
// With `mse_offer` (mse::k_rc4 and/or mse::k_plaintext) an MSE handshake comes first, ours
// riding in its initial payload; with 0 it is a plain handshake.
boost::asio::awaitable<Result<HandshakeDone>> handshake_outgoing(
    std::unique_ptr<net::PeerStream> stream, SwarmId swarm, wire::PeerId our_id,
    std::chrono::milliseconds timeout, std::uint32_t mse_offer = 0);

struct DialEncryption {
    EncryptionPolicy policy = EncryptionPolicy::prefer;
    // `prefer` only: this peer answered only a plain handshake before, so start with that.
    bool plain_first = false;
};

// Dials `endpoint` with `dial` (TCP or uTP) and goes through handshake_outgoing, each step
// within `timeout`. With `prefer`, an MSE attempt that fails after the dial (the peer hangs
// up or answers something else) is followed by one plain redial.
boost::asio::awaitable<Result<HandshakeDone>> connect_to_peer(
    const net::Dial& dial, boost::asio::ip::tcp::endpoint endpoint, SwarmId swarm,
    wire::PeerId our_id, std::chrono::milliseconds timeout, DialEncryption encryption = {});

// They opened it. Their first bytes tell a plain handshake ("\x13BitTorrent protocol") from
// an MSE one; the policy says which are taken. Their handshake names a swarm, `find` says
// whether it is one of ours, and ours answers (with the v2 upgrade where it applies). An MSE
// handshake names its torrent through `find_stream_key` (every name of every swarm we serve), and
// the plain handshake inside must name the same one. Anything else (HTTP, garbage) is refused
// as soon as its first bytes show it.
using FindSwarm = std::function<std::optional<SwarmId>(const SwarmHash& info_hash)>;
struct AcceptEncryption {
    EncryptionPolicy policy = EncryptionPolicy::disable;
    mse::FindStreamKey find_stream_key;
};
boost::asio::awaitable<Result<HandshakeDone>> handshake_incoming(
    std::unique_ptr<net::PeerStream> stream, FindSwarm find, wire::PeerId our_id,
    std::chrono::milliseconds timeout, AcceptEncryption encryption = {});

}  // namespace shoal
