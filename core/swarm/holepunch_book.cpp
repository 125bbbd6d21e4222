#include "swarm/holepunch_book.hpp"

#include <algorithm>

namespace shoal {

void HolepunchBook::introduced(const Endpoint& target, const Endpoint& introducer) {
    if (const auto it = introducers_.find(target); it != introducers_.end()) {
        it->second = introducer;
    } else if (introducers_.size() < k_max_introduced) {
        introducers_.emplace(target, introducer);
    }
}

std::optional<HolepunchBook::Endpoint> HolepunchBook::rendezvous_due(const Endpoint& target,
                                                                     Clock::time_point now) {
    const auto introducer = introducers_.find(target);
    if (introducer == introducers_.end()) return std::nullopt;
    // Only introduced peers are ever asked about, so this stays within k_max_introduced.
    std::erase_if(asked_, [&](const auto& entry) { return now - entry.second >= k_rendezvous_interval; });
    if (!asked_.emplace(target, now).second) return std::nullopt;
    return introducer->second;
}

bool HolepunchBook::accept_connect(const Endpoint& target, Clock::time_point now) {
    if (const auto asked = asked_.find(target); asked != asked_.end() && now - asked->second < k_answer_wait) {
        return true;
    }
    const auto recent = std::find_if(unasked_connects_.begin(), unasked_connects_.end(),
                                     [&](Clock::time_point t) { return now - t < k_unasked_window; });
    unasked_connects_.erase(unasked_connects_.begin(), recent);
    if (unasked_connects_.size() >= k_max_unasked_connects) return false;
    unasked_connects_.push_back(now);
    return true;
}

}  // namespace shoal
