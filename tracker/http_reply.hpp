#pragma once
// Bencoded bodies of HTTP tracker replies (BEP 3, 7, 23, 48).

#include <string>
#include <string_view>
#include <vector>

#include "tracker/announce_service.hpp"

namespace shoal::tracker {

// Compact: IPv4 peers in `peers` (6 bytes each), IPv6 in `peers6` (18 bytes each).
// Otherwise one list of dictionaries with ip, port and (unless no_peer_id) peer id.
std::string bencode_announce(const AnnounceOutcome& outcome, const std::vector<PeerInfo>& peers,
                             bool compact, bool no_peer_id);
std::string bencode_scrape(const std::vector<ScrapeResult>& entries);
// With BEP 31's "retry in" (minutes) when `retry_in_minutes` is not 0.
std::string bencode_failure(std::string_view reason, std::uint32_t retry_in_minutes = 0);

}  // namespace shoal::tracker
