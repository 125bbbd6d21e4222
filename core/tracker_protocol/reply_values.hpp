#pragma once
// What a tracker's announce and scrape replies are made of: peer addresses and swarm counts.

#include <array>
#include <cstddef>
#include <cstdint>

#include "crypto/digest.hpp"
#include "tracker_protocol/announce.hpp"

namespace shoal::tracker_protocol {

using InfoHash = Sha1Hash;

enum class Family : std::uint8_t { v4 = 4, v6 = 6 };

// An IPv4 or IPv6 address in 16 bytes: IPv4 lives in the first 4 bytes, the rest zero.
struct IpAddress {
    std::array<std::uint8_t, 16> bytes{};
    Family family = Family::v4;

    static IpAddress v4(std::uint32_t host_order) {
        IpAddress a;
        a.bytes[0] = static_cast<std::uint8_t>(host_order >> 24);
        a.bytes[1] = static_cast<std::uint8_t>(host_order >> 16);
        a.bytes[2] = static_cast<std::uint8_t>(host_order >> 8);
        a.bytes[3] = static_cast<std::uint8_t>(host_order);
        return a;
    }
    std::size_t size() const { return family == Family::v4 ? 4 : 16; }
    bool operator==(const IpAddress&) const = default;
};

// Where a peer accepts connections.
struct PeerEndpoint {
    IpAddress address;
    std::uint16_t port = 0;
    bool operator==(const PeerEndpoint&) const = default;
};

// Which address families a reply may carry.
struct FamilyMask {
    bool v4 = true;
    bool v6 = true;
    bool allows(Family f) const { return f == Family::v4 ? v4 : v6; }
};

struct SwarmCounts {
    std::uint32_t seeders = 0;
    std::uint32_t leechers = 0;
    std::uint32_t completed = 0;
};

// One peer as handed out in a reply.
struct PeerInfo {
    PeerEndpoint endpoint;
    PeerId peer_id;
};

}  // namespace shoal::tracker_protocol
