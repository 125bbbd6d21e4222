#pragma once
// BEP 15 UDP tracker packets (with BEP 41 options), the tracker's half: parsing requests,
// writing replies.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "tracker_protocol/announce.hpp"
#include "tracker_protocol/bep15.hpp"
#include "tracker_protocol/reply_values.hpp"

namespace shoal::tracker_protocol {

struct UdpConnectRequest {
    std::uint32_t transaction_id = 0;
};

struct UdpAnnounceRequest {
    std::uint64_t connection_id = 0;
    std::uint32_t transaction_id = 0;
    InfoHash info_hash;
    PeerId peer_id;
    std::uint64_t downloaded = 0;
    std::uint64_t left = 0;
    std::uint64_t uploaded = 0;
    AnnounceEvent event = AnnounceEvent::none;
    std::uint32_t ip = 0;
    std::uint32_t key = 0;
    std::int32_t numwant = -1;
    std::uint16_t port = 0;
    std::string url_data;  // BEP 41 URLData, concatenated (path and query)
};

struct UdpScrapeRequest {
    std::uint64_t connection_id = 0;
    std::uint32_t transaction_id = 0;
    std::vector<InfoHash> info_hashes;
};

struct UdpParsed {
    std::variant<std::monostate, UdpConnectRequest, UdpAnnounceRequest, UdpScrapeRequest> request;
    std::string error;                            // set when request holds monostate
    std::optional<std::uint32_t> transaction_id;  // set when an error reply makes sense
};

UdpParsed parse_udp_request(std::span<const std::uint8_t> packet);

void write_udp_connect(std::vector<std::uint8_t>& out, std::uint32_t transaction_id,
                       std::uint64_t connection_id);
// Writes `peers` of the given family only: 6 bytes each for IPv4, 18 for IPv6.
void write_udp_announce(std::vector<std::uint8_t>& out, std::uint32_t transaction_id,
                        std::uint32_t interval, const SwarmCounts& counts,
                        const std::vector<PeerInfo>& peers, Family family);
// An announce reply whose compact peers (6 bytes each for IPv4, 18 for IPv6) already follow
// the first k_udp_announce_head bytes of `out`: writes those bytes.
constexpr std::size_t k_udp_announce_head = 20;
void write_udp_announce_head(std::vector<std::uint8_t>& out, std::uint32_t transaction_id,
                             std::uint32_t interval, const SwarmCounts& counts);
void write_udp_scrape(std::vector<std::uint8_t>& out, std::uint32_t transaction_id,
                      const std::vector<SwarmCounts>& counts);
void write_udp_error(std::vector<std::uint8_t>& out, std::uint32_t transaction_id,
                     std::string_view message);

}  // namespace shoal::tracker_protocol
