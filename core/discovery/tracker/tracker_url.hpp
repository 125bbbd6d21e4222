#pragma once
// Tracker URLs: splitting them, the HTTP announce query (BEP 3, BEP 23) and scrape URL (BEP 48).

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "discovery/tracker/announce_types.hpp"
#include "util/result.hpp"

namespace shoal::tracker_client {

// The parts of a tracker URL a client connects with.
struct TrackerUrlParts {
    std::string scheme;  // "http", "https" or "udp", lowercase
    std::string host;    // without IPv6 brackets, percent-decoded
    std::uint16_t port = 0;
    std::string target;  // path and query, "/" when the URL has neither
};

// Splits an http, https or udp URL; udp URLs must name a port. Errors name the URL.
Result<TrackerUrlParts> split_tracker_url(std::string_view url);

// Percent-encodes every byte outside RFC 3986's unreserved set (binary-safe).
std::string percent_encode(std::string_view bytes);

// The announce URL with the request's parameters appended after the URL's own query, so
// passkeys and other parameters the tracker put in the URL survive. Fragments are dropped.
Result<std::string> make_announce_url(std::string_view announce_url,
                                      const AnnounceRequest& request);

// BEP 48: the last path segment's leading "announce" becomes "scrape", plus one info_hash
// parameter per torrent. Fails for URLs that have no such segment (the tracker has no scrape).
Result<std::string> make_scrape_url(std::string_view announce_url,
                                    std::span<const SwarmHash> hashes);

}  // namespace shoal::tracker_client
