#pragma once
// What an announce and a scrape carry, in the words of both the tracker and its clients.

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

#include "metainfo/torrent_info.hpp"

namespace shoal::tracker_protocol {

// The 20 bytes a peer names itself with in the swarm; opaque to the tracker.
struct PeerId {
    std::array<std::uint8_t, 20> bytes{};

    PeerId() = default;
    // Implicit: the session hands its wire::PeerId to the announcer as it is.
    PeerId(const std::array<std::uint8_t, 20>& b) : bytes(b) {}

    std::string_view view() const {
        return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
    }
    auto operator<=>(const PeerId&) const = default;
};

// The event an announce reports (BEP 3); the numbers are the UDP encoding of BEP 15.
enum class AnnounceEvent : std::uint32_t { none = 0, completed = 1, started = 2, stopped = 3 };

// "started", "completed", "stopped" or "" (none), as the HTTP query spells them.
const char* event_name(AnnounceEvent event);

// One announce: who the peer is, for which torrent, and how far along it is.
struct AnnounceRequest {
    SwarmHash info_hash;
    PeerId peer_id;
    std::uint16_t port = 0;
    std::int64_t uploaded = 0;
    std::int64_t downloaded = 0;
    std::int64_t left = 0;
    AnnounceEvent event = AnnounceEvent::none;
    // Peers wanted; negative asks for the tracker's default.
    std::int32_t numwant = -1;
    // Identifies the client across IP address changes; the same for every tracker.
    std::uint32_t key = 0;
    // Echo of the "tracker id" an HTTP tracker gave in an earlier reply.
    std::string tracker_id;
    // Our global IPv6 address when we listen on IPv6, so that an HTTP tracker reached over
    // IPv4 can give it to IPv6 peers (BEP 7's "ipv6="); UDP announces have no room for it.
    std::optional<boost::asio::ip::address_v6> ipv6;
};

// What a tracker answered to an announce.
struct AnnounceResponse {
    std::vector<boost::asio::ip::tcp::endpoint> peers;
    std::int64_t interval = 0;  // seconds; 0 when the tracker gave none
    std::optional<std::int64_t> min_interval;
    std::optional<std::int64_t> seeders;
    std::optional<std::int64_t> leechers;
    std::optional<std::int64_t> downloaded;
    std::string warning_message;
    std::string tracker_id;
    // Where the tracker sees the client ("external ip", BEP 24).
    std::optional<boost::asio::ip::address> external_ip;
    // The tracker's own address, as the client reached it (set by the client, not sent).
    std::optional<boost::asio::ip::address> tracker_address;
};

// One torrent's counts from a scrape (BEP 48, BEP 15).
struct ScrapeEntry {
    SwarmHash info_hash;
    std::int64_t seeders = 0;
    std::int64_t leechers = 0;
    std::int64_t downloaded = 0;
};

// What a tracker answered to a scrape; torrents it does not know are simply absent.
struct ScrapeResponse {
    std::vector<ScrapeEntry> entries;
};

}  // namespace shoal::tracker_protocol
