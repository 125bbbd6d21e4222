#pragma once
// Parses bencoded HTTP tracker replies (BEP 3, BEP 7, BEP 23, BEP 48) with explicit limits.

#include <cstddef>
#include <string_view>

#include "discovery/tracker/announce_types.hpp"
#include "util/result.hpp"

namespace shoal::tracker_client {

// Bounds on what a tracker may send; anything larger is refused, not truncated.
struct ReplyLimits {
    std::size_t max_reply_bytes = 2 * 1024 * 1024;
    std::size_t max_peers = 2000;  // IPv4 and IPv6 together
    std::size_t max_scrape_entries = 1000;
};

// An announce reply. A tracker's "failure reason" becomes an error "failure reason: <text>";
// anything else the reply gets wrong is named in the error.
Result<AnnounceResponse> parse_announce_reply(std::string_view body,
                                              const ReplyLimits& limits = {});

// A scrape reply: the "files" dictionary keyed by 20-byte info-hashes.
Result<ScrapeResponse> parse_scrape_reply(std::string_view body, const ReplyLimits& limits = {});

}  // namespace shoal::tracker_client
