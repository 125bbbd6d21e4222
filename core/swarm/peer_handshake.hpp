#pragma once
// The one handshake step every connection goes through, dialed, accepted or opened for a
// magnet link: it turns a stream into the peer's handshake and the same stream, ready for
// the message loop (PeerConnection). Info-hash matching and BEP 52's v2 upgrade live here.

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <memory>

#include "net/peer_stream.hpp"
#include "swarm/swarm_id.hpp"
#include "util/result.hpp"
#include "wire/handshake.hpp"

namespace shoal {

struct HandshakeDone {
    wire::Handshake theirs;
    std::unique_ptr<net::PeerStream> stream;
};

// We opened the connection: ours goes first, and their answer must name the same swarm.
boost::asio::awaitable<Result<HandshakeDone>> handshake_outgoing(std::unique_ptr<net::PeerStream> stream,
                                                                 SwarmId swarm, wire::PeerId our_id,
                                                                 std::chrono::milliseconds timeout);

// Dials `endpoint` (TCP) and goes through handshake_outgoing, each step within `timeout`.
boost::asio::awaitable<Result<HandshakeDone>> connect_to_peer(boost::asio::any_io_executor executor,
                                                              boost::asio::ip::tcp::endpoint endpoint, SwarmId swarm,
                                                              wire::PeerId our_id, std::chrono::milliseconds timeout);

// They opened it: their handshake names a swarm, `find` says whether it is one of ours, and
// ours answers (with the v2 upgrade where it applies). Anything but a plain handshake (an
// encrypted one, HTTP, garbage) is refused as soon as its first bytes show it.
using FindSwarm = std::function<std::optional<SwarmId>(const SwarmHash& info_hash)>;
boost::asio::awaitable<Result<HandshakeDone>> handshake_incoming(std::unique_ptr<net::PeerStream> stream,
                                                                 FindSwarm find, wire::PeerId our_id,
                                                                 std::chrono::milliseconds timeout);

}  // namespace shoal
