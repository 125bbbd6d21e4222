#pragma once
// Editing a torrent's list of web seeds (BEP 19): the rules the front-ends share.

#include <string>
#include <vector>

#include "util/result.hpp"
#include "web_seed/web_seed_url.hpp"

namespace shoal::control {

// Appends `url` when web_seed::check_new_seed lets it join the list.
Result<Done> add_web_seed(std::vector<std::string>& urls, const std::string& url);
Result<Done> remove_web_seed(std::vector<std::string>& urls, const std::string& url);

}  // namespace shoal::control
