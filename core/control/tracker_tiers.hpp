#pragma once
// Editing a torrent's trackers as the user sees them: tiers of URLs. Every URL is checked
// before it is taken (at most k_max_tracker_url_bytes long), a URL appears once in all tiers,
// a torrent has at most k_max_trackers (metainfo/torrent_info.hpp: what a .torrent file's
// announce-list keeps), and emptied tiers disappear.

#include <string>
#include <vector>

#include "util/result.hpp"
#include "metainfo/torrent_info.hpp"

namespace shoal::control {

using Tiers = std::vector<Tier>;

// Adds `url` (trimmed) to tier `tier`, or to a new last tier when `tier` is negative or past
// the end.
Result<Done> add_tracker(Tiers& tiers, const std::string& url, int tier);
// Replaces `url` with `new_url` (trimmed) where it stands.
Result<Done> replace_tracker(Tiers& tiers, const std::string& url, const std::string& new_url);
Result<Done> remove_tracker(Tiers& tiers, const std::string& url);
// A whole new list, checked the same way (trimmed, valid, no repeats, not too many: a list
// over the limit is refused by its length alone); empty tiers dropped.
Result<Tiers> checked_tiers(const Tiers& tiers);

}  // namespace shoal::control
