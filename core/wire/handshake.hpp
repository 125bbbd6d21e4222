#pragma once
// The BitTorrent handshake (BEP 3) and the capability bits in its reserved bytes.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace shoal::wire {

constexpr std::size_t k_handshake_size = 68;
constexpr std::string_view k_protocol = "\x13" "BitTorrent protocol";

using PeerId = std::array<std::uint8_t, 20>;

struct Handshake {
    std::array<std::uint8_t, 8> reserved{};
    std::array<std::uint8_t, 20> info_hash{};
    PeerId peer_id{};

    bool supports_extensions() const { return reserved[5] & 0x10; }  // BEP 10
    bool supports_fast() const { return reserved[7] & 0x04; }        // BEP 6
    bool supports_v2() const { return reserved[7] & 0x10; }          // BEP 52 upgrade
    bool supports_dht() const { return reserved[7] & 0x01; }         // BEP 5
};

// The reserved bits Shoal sets: extension protocol, fast extension, and v2 for hybrids.
std::array<std::uint8_t, 8> our_reserved(bool v2);

std::string encode_handshake(const Handshake& h);

// True when the first bytes a peer sent can still become a plain handshake; false means
// something else (an encrypted MSE handshake, HTTP, garbage) and the connection is closed.
bool plausible_protocol_prefix(std::string_view first_bytes);

// Decodes a full 68-byte handshake; nullopt when it is not one.
std::optional<Handshake> decode_handshake(std::string_view bytes);

// "-SH0100-" followed by 12 random bytes (Azureus style, as trackers and peers display it).
PeerId make_peer_id();

// A readable client name from a peer id ("Shoal 0.1.0", "libtorrent 2.0.8", ...), best effort.
std::string client_from_peer_id(const PeerId& id);

}  // namespace shoal::wire
