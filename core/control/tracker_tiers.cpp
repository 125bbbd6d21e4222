#include "control/tracker_tiers.hpp"

#include <algorithm>
#include <set>

#include "discovery/tracker/tracker_url.hpp"

namespace shoal::control {
namespace {

std::string trimmed(const std::string& text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return {};
    const auto last = text.find_last_not_of(" \t\r\n");
    return text.substr(first, last - first + 1);
}

Result<Done> check_url(const std::string& url) {
    if (url.size() > k_max_tracker_url_bytes) {
        return make_error(ErrorCode::too_large,
                          "a tracker URL is longer than " + std::to_string(k_max_tracker_url_bytes) + " bytes");
    }
    if (auto parts = tracker_client::split_tracker_url(url); !parts) {
        return make_error(ErrorCode::invalid_input, parts.error().message);
    }
    return Done{};
}

Error repeated(const std::string& url) {
    return make_error(ErrorCode::already_exists, "'" + url + "' is already a tracker of this torrent");
}

std::size_t count(const Tiers& tiers) {
    std::size_t n = 0;
    for (const Tier& t : tiers) n += t.size();
    return n;
}

bool contains(const Tiers& tiers, const std::string& url) {
    return std::any_of(tiers.begin(), tiers.end(),
                       [&](const Tier& t) { return std::find(t.begin(), t.end(), url) != t.end(); });
}

void drop_empty(Tiers& tiers) {
    std::erase_if(tiers, [](const Tier& t) { return t.empty(); });
}

}  // namespace

Result<Done> add_tracker(Tiers& tiers, const std::string& url, int tier) {
    const std::string text = trimmed(url);
    if (auto ok = check_url(text); !ok) return ok.error();
    if (contains(tiers, text)) return repeated(url);
    if (count(tiers) >= k_max_trackers) {
        return make_error(ErrorCode::too_large,
                          "a torrent has at most " + std::to_string(k_max_trackers) + " trackers");
    }
    if (tier < 0 || static_cast<std::size_t>(tier) >= tiers.size()) {
        tiers.push_back({text});
    } else {
        tiers[static_cast<std::size_t>(tier)].push_back(text);
    }
    return Done{};
}

Result<Done> replace_tracker(Tiers& tiers, const std::string& url, const std::string& new_url) {
    const std::string text = trimmed(new_url);
    if (auto ok = check_url(text); !ok) return ok.error();
    if (text != url && contains(tiers, text)) return repeated(text);
    for (auto& t : tiers) {
        for (auto& u : t) {
            if (u == url) {
                u = text;
                return Done{};
            }
        }
    }
    return make_error(ErrorCode::not_found, "'" + url + "' is not a tracker of this torrent");
}

Result<Done> remove_tracker(Tiers& tiers, const std::string& url) {
    for (auto& t : tiers) {
        const auto before = t.size();
        std::erase(t, url);
        if (t.size() != before) {
            drop_empty(tiers);
            return Done{};
        }
    }
    return make_error(ErrorCode::not_found, "'" + url + "' is not a tracker of this torrent");
}

Result<Tiers> checked_tiers(const Tiers& tiers) {
    // Counted before any URL is looked at, so that a huge list costs no more than its length.
    if (const std::size_t n = count(tiers); n > k_max_trackers) {
        return make_error(ErrorCode::too_large, "a torrent has at most " + std::to_string(k_max_trackers) +
                                                    " trackers, not " + std::to_string(n));
    }
    Tiers out;
    std::set<std::string> seen;
    for (const auto& tier : tiers) {
        Tier kept;
        for (const auto& url : tier) {
            std::string text = trimmed(url);
            if (auto ok = check_url(text); !ok) return ok.error();
            if (!seen.insert(text).second) return repeated(url);
            kept.push_back(std::move(text));
        }
        if (!kept.empty()) out.push_back(std::move(kept));
    }
    return out;
}

}  // namespace shoal::control
