#pragma once
// The Message Stream Encryption handshake (also called Protocol Encryption), both roles,
// over a raw peer stream. It ends in the stream to carry on with: RC4 both ways
// (EncryptedStream) or the raw stream when plain text was selected, beginning with any bytes
// that arrived beyond the handshake (the initial payload IA first).

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "encryption/mse_keys.hpp"
#include "net/peer_stream.hpp"
#include "util/result.hpp"

namespace shoal::mse {

// crypto_provide and crypto_select bits.
inline constexpr std::uint32_t k_plaintext = 0x01;
inline constexpr std::uint32_t k_rc4 = 0x02;

// Limits on what a peer may send.
inline constexpr std::size_t k_max_padding = 512;           // PadA, PadB, PadC, PadD
inline constexpr std::size_t k_max_initial_payload = 8192;  // IA: a handshake and a little more

struct Options {
    // The whole handshake, both roles.
    std::chrono::milliseconds timeout{10'000};
    // Every padding we send gets this length instead of a random one in [0, 512] (tests).
    std::optional<std::size_t> padding;
    // Our Diffie-Hellman private key instead of a random one (tests and the fuzzer, to make
    // the exchange repeatable).
    std::optional<PrivateKey> private_key;
};

struct Established {
    std::unique_ptr<net::PeerStream> stream;
    StreamKey skey{};          // the torrent the peer asked for (or we offered)
    std::uint32_t method = 0;  // k_rc4 or k_plaintext
};

// We are A: offer the methods in `provide` for the torrent `skey`, with `initial_payload`
// (the BitTorrent handshake, usually) sent encrypted as IA.
boost::asio::awaitable<Result<Established>> handshake_as_initiator(
    std::unique_ptr<net::PeerStream> stream, StreamKey skey, std::uint32_t provide,
    std::string initial_payload, Options options = {});

// The initiator names the torrent it wants by HASH('req2', SKEY) (see req2()); this gives
// back that SKEY when it is one of the torrents we serve. Called once per handshake, so a
// session with many torrents keeps the hashes rather than computing them each time.
using FindStreamKey = std::function<std::optional<StreamKey>(const Sha1Hash& req2_of_skey)>;
// The finder for a fixed list of SKEYs, each hashed once, now.
FindStreamKey find_among(const std::vector<StreamKey>& keys);

// We are B. `received` holds the bytes of Ya already read from `stream` (when the caller
// looked at the first bytes to tell MSE from a plain handshake). `find` names the torrent
// the peer asks for. Of the methods the peer offers and `accept` allows, RC4 is chosen first.
boost::asio::awaitable<Result<Established>> handshake_as_receiver(
    std::unique_ptr<net::PeerStream> stream, std::string received, FindStreamKey find,
    std::uint32_t accept, Options options = {});

}  // namespace shoal::mse
