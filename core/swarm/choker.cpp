#include "swarm/choker.hpp"

#include <algorithm>

namespace shoal::choker {

Decision rechoke(std::vector<PeerSnapshot> peers, std::size_t slots, bool seeding, Clock::time_point now,
                 bool rotate_optimistic, std::optional<PeerKey> optimistic, SmallRandom& rng) {
    std::vector<PeerSnapshot> interested;
    for (const auto& p : peers) {
        if (p.interested) interested.push_back(p);
    }
    if (seeding) {
        const auto fresh = [&](const PeerSnapshot& p) {
            return !p.am_choking && now - p.last_unchoked < k_seeding_unchoke_hold;
        };
        std::sort(interested.begin(), interested.end(), [&](const auto& a, const auto& b) {
            if (fresh(a) != fresh(b)) return fresh(a);
            return a.last_unchoked < b.last_unchoked;
        });
    } else {
        std::sort(interested.begin(), interested.end(),
                  [](const auto& a, const auto& b) { return a.download_rate > b.download_rate; });
    }
    Decision d;
    for (std::size_t i = 0; i < interested.size() && i < slots; ++i) d.unchoke.insert(interested[i].key);
    const auto current = std::find_if(peers.begin(), peers.end(), [&](const auto& p) {
        return optimistic && p.key == *optimistic;
    });
    const bool keep = !rotate_optimistic && current != peers.end() && current->is_open && current->interested;
    if (keep) {
        d.optimistic = optimistic;
    } else {
        std::vector<PeerKey> rest;
        for (const auto& p : interested) {
            if (!d.unchoke.contains(p.key)) rest.push_back(p.key);
        }
        if (!rest.empty()) d.optimistic = rest[std::uniform_int_distribution<std::size_t>(0, rest.size() - 1)(rng)];
    }
    if (d.optimistic) d.unchoke.insert(*d.optimistic);
    return d;
}

std::optional<bool> on_interest(const PeerSnapshot& peer, std::size_t unchoked, std::size_t slots) {
    if (peer.interested && peer.am_choking && unchoked < slots + 1) return false;
    if (!peer.interested && !peer.am_choking) return true;
    return std::nullopt;
}

}  // namespace shoal::choker
