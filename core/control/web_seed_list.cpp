#include "control/web_seed_list.hpp"

#include <algorithm>

namespace shoal::control {

Result<Done> add_web_seed(std::vector<std::string>& urls, const std::string& url) {
    if (auto fits = web_seed::check_new_seed(urls, url); !fits) return fits.error();
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
