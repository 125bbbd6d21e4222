#include "discovery/dht/rate_limits.hpp"

#include <algorithm>

namespace shoal::dht {

bool SourceLimiter::allow(const Address& source, TimePoint now) {
    if (now - window_start_ >= std::chrono::seconds(1)) {
        window_start_ = now;
        counts_.clear();
    }
    auto it = counts_.find(source);
    if (it == counts_.end()) {
        // Under a flood from many (likely spoofed) sources, new sources wait for the next
        // window rather than growing the map without bound.
        if (counts_.size() >= max_sources_)
            return false;
        it = counts_.emplace(source, 0).first;
    }
    if (it->second >= per_second_)
        return false;
    ++it->second;
    return true;
}

bool PacketBudget::take(TimePoint now) {
    const auto cap = static_cast<double>(per_second_);
    if (!last_) {
        tokens_ = cap;
    } else {
        const std::chrono::duration<double> elapsed = now - *last_;
        tokens_ = std::min(cap, tokens_ + elapsed.count() * cap);
    }
    last_ = now;
    if (tokens_ < 1.0)
        return false;
    tokens_ -= 1.0;
    return true;
}

}  // namespace shoal::dht
