#pragma once
// Editing a torrent's list of web seeds (BEP 19): the rules the front-ends share.

#include <string>
#include <vector>

#include "util/result.hpp"

namespace shoal::control {

// At most as many as a torrent takes (TorrentWebSeeds::k_max_seeds).
constexpr std::size_t k_max_web_seeds = 64;

// Appends `url` when it is a web seed's URL (web_seed::check_seed_url) not yet in the list.
Result<Done> add_web_seed(std::vector<std::string>& urls, const std::string& url);
Result<Done> remove_web_seed(std::vector<std::string>& urls, const std::string& url);

}  // namespace shoal::control
