#pragma once
// Local Service Discovery announces (BEP 14): an HTTP-like request sent over UDP multicast.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "metainfo/torrent_info.hpp"
#include "util/result.hpp"

namespace shoal::lsd {

constexpr std::uint16_t k_lsd_port = 6771;
constexpr const char* k_group_v4 = "239.192.152.143";
constexpr const char* k_group_v6 = "ff15::efc0:988f";
// BEP 14: several info-hashes in one announce should stay under this, to avoid fragmentation.
constexpr std::size_t k_max_announce_size = 1400;

// LSD carries a swarm's 20-byte hash (SwarmHash): v1, or the truncated v2 for a v2-only torrent.

struct Announce {
    std::string host;  // "239.192.152.143:6771" or "[ff15::efc0:988f]:6771"
    std::uint16_t port = 0;
    std::vector<SwarmHash> info_hashes;
    std::string cookie;  // empty: no cookie header
};

struct ParseLimits {
    std::size_t max_size = 1500;  // one Ethernet frame; announces are sent unfragmented
    std::size_t max_info_hashes = 32;
    std::size_t max_headers = 64;
    std::size_t max_cookie = 64;
};

// The Host header value for a group and port ("[v6]:port" for IPv6).
std::string host_header(std::string_view group, std::uint16_t port);

// One datagram; the headers in BEP 14's order, ending with the two empty lines it shows.
std::string encode_announce(const Announce& announce);

// Splits `announce.info_hashes` over as few datagrams of at most `max_size` bytes as it
// takes (each with the same host, port and cookie).
std::vector<std::string> encode_announces(const Announce& announce,
                                          std::size_t max_size = k_max_announce_size);

// Strict parser: request line exactly "BT-SEARCH * HTTP/1.1", CRLF line ends, header names
// case-insensitive, Host required, Port 1..65535, at least one Infohash of 40 hex digits
// (duplicates collapse), unknown headers ignored, nothing but empty lines after the headers.
Result<Announce> parse_announce(std::string_view datagram, const ParseLimits& limits = {});

}  // namespace shoal::lsd
