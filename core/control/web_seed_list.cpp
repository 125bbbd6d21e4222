#include "control/web_seed_list.hpp"

#include <algorithm>

#include "web_seed/web_seed_url.hpp"

namespace shoal::control {

Result<Done> add_web_seed(std::vector<std::string>& urls, const std::string& url) {
    if (auto checked = web_seed::check_seed_url(url); !checked) return checked.error();
    if (std::find(urls.begin(), urls.end(), url) != urls.end())
        return make_error(ErrorCode::already_exists, "the torrent has this web seed already");
    if (urls.size() >= k_max_web_seeds)
        return make_error(ErrorCode::too_large, "a torrent has at most " + std::to_string(k_max_web_seeds) + " web seeds");
    urls.push_back(url);
    return Done{};
}

Result<Done> remove_web_seed(std::vector<std::string>& urls, const std::string& url) {
    auto it = std::find(urls.begin(), urls.end(), url);
    if (it == urls.end()) return make_error(ErrorCode::not_found, "the torrent has no such web seed");
    urls.erase(it);
    return Done{};
}

}  // namespace shoal::control
