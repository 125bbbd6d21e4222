#pragma once
// BEP 15 UDP tracker packets (with the BEP 41 URL data option), the client's half: encoding
// requests, checked decoding of replies.

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "tracker_protocol/announce.hpp"
#include "tracker_protocol/bep15.hpp"
#include "util/result.hpp"

namespace shoal::tracker_protocol {

// A datagram, owned and viewed.
using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

// The first 8 bytes every reply starts with; nullopt for anything shorter.
struct UdpReplyHeader {
    std::uint32_t action = 0;
    std::uint32_t transaction_id = 0;
};
std::optional<UdpReplyHeader> peek_udp_header(ByteView packet);

// Requests: big-endian, laid out as BEP 15 draws them.
Bytes encode_connect_request(std::uint32_t transaction_id);
// `url_data` is the tracker URL's path and query (BEP 41); empty sends no option.
Bytes encode_announce_request(std::uint64_t connection_id, std::uint32_t transaction_id,
                              const AnnounceRequest& request, std::string_view url_data);
// At most k_udp_max_scrape_hashes hashes are sent; the rest are left out.
Bytes encode_scrape_request(std::uint64_t connection_id, std::uint32_t transaction_id,
                            std::span<const SwarmHash> hashes);

// The reply decoders check length, action and transaction id. An error packet (action 3)
// becomes the error "error: <tracker's message>".
Result<std::uint64_t> decode_connect_reply(ByteView packet, std::uint32_t transaction_id);
// `ipv6` tells the peer format: BEP 15 picks it by the address family the reply came over.
Result<AnnounceResponse> decode_announce_reply(ByteView packet, std::uint32_t transaction_id,
                                               bool ipv6, std::size_t max_peers = 2000);
// Entries pair with `hashes` in the order they were asked for.
Result<ScrapeResponse> decode_scrape_reply(ByteView packet, std::uint32_t transaction_id,
                                           std::span<const SwarmHash> hashes);

}  // namespace shoal::tracker_protocol
