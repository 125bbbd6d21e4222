#include "swarm/pex_schedule.hpp"

namespace shoal {

std::vector<std::pair<PexSchedule::Peer, wire::PexMessage>> PexSchedule::update(
    const std::vector<PeerSnapshot>& peers, Clock::time_point now) {
    // Only peers that accept connections are worth passing on.
    std::vector<wire::PexPeer> connected;
    for (const auto& p : peers) {
        if (!p.listen) continue;
        const auto flags = static_cast<std::uint8_t>(
            (p.we_dialed ? wire::pex_flag::reachable : 0) | (p.seed ? wire::pex_flag::seed : 0) |
            (p.utp ? wire::pex_flag::supports_utp : 0) | (p.holepunch ? wire::pex_flag::holepunch : 0));
        connected.push_back({*p.listen, flags});
    }
    std::vector<std::pair<Peer, wire::PexMessage>> out;
    for (const auto& p : peers) {
        if (!p.speaks_pex) continue;
        auto it = trackers_.find(p.key);
        if (it == trackers_.end()) it = trackers_.emplace(p.key, wire::PexTracker(p.listen.value_or(p.endpoint))).first;
        if (auto message = it->second.update(connected, now)) out.emplace_back(p.key, std::move(*message));
    }
    return out;
}

}  // namespace shoal
