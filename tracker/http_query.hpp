#pragma once
// Parses the query strings of HTTP /announce and /scrape (BEP 3, 23, 48).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tracker/types.hpp"
#include "util/result.hpp"

namespace shoal::tracker {

struct HttpAnnounceQuery {
    InfoHash info_hash;
    PeerId peer_id;
    std::uint16_t port = 0;
    std::uint64_t uploaded = 0;
    std::uint64_t downloaded = 0;
    std::optional<std::uint64_t> left;  // absent: treat the peer as a leecher
    AnnounceEvent event = AnnounceEvent::none;
    bool compact = true;
    bool no_peer_id = false;
    std::optional<std::uint32_t> numwant;  // absent or negative: the default
    std::string ip;                        // the `ip` parameter, used only if configured
};

// Decodes %XX, and '+' as a space in a query (not in other parts of a URL); false on a
// malformed escape.
bool percent_decode(std::string_view in, std::string& out, bool plus_is_space = true);

Result<HttpAnnounceQuery> parse_announce_query(std::string_view query);

// The info-hashes of a scrape; at most `max_hashes` (more is an error).
Result<std::vector<InfoHash>> parse_scrape_query(std::string_view query, std::size_t max_hashes);

}  // namespace shoal::tracker
