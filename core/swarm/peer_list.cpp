#include "swarm/peer_list.hpp"

#include <algorithm>

namespace shoal {

bool PeerList::add(const Endpoint& endpoint) {
    if (banned_.contains(endpoint.address()) || candidates_.size() >= k_max_candidates) return false;
    if (endpoint.port() == 0) return false;
    const bool known = std::any_of(candidates_.begin(), candidates_.end(),
                                   [&](const Candidate& c) { return c.endpoint == endpoint; });
    if (known) return false;
    candidates_.push_back({endpoint});
    return true;
}

std::vector<PeerList::Candidate> PeerList::take_due(Clock::time_point now, std::size_t budget,
                                                    const std::function<bool(const Endpoint&)>& connected) {
    std::vector<Candidate> out;
    for (std::size_t i = 0; i < candidates_.size() && out.size() < budget;) {
        if (candidates_[i].next_try > now) {
            ++i;
            continue;
        }
        const Candidate candidate = candidates_[i];
        candidates_.erase(candidates_.begin() + static_cast<std::ptrdiff_t>(i));
        const Endpoint& endpoint = candidate.endpoint;
        if (banned_.contains(endpoint.address()) || connecting_.contains(endpoint)) continue;
        if (connected(endpoint)) continue;
        connecting_.insert(endpoint);
        tried_.insert(endpoint);
        out.push_back(candidate);
    }
    return out;
}

bool PeerList::start_dial(const Endpoint& endpoint) {
    if (banned_.contains(endpoint.address()) || endpoint.port() == 0 || connecting_.contains(endpoint)) return false;
    std::erase_if(candidates_, [&](const Candidate& c) { return c.endpoint == endpoint; });
    connecting_.insert(endpoint);
    tried_.insert(endpoint);
    return true;
}

void PeerList::dial_failed(Candidate candidate, Clock::time_point now) {
    if (++candidate.failures < k_max_connect_failures && candidates_.size() < k_max_candidates) {
        candidate.next_try = now + k_retry_base * (1 << (candidate.failures - 1));
        candidates_.push_back(candidate);
    }
}

void PeerList::refused_dialed_peer(const Endpoint& endpoint, Clock::time_point now) {
    if (tried_.contains(endpoint)) candidates_.push_back({endpoint, 1, now + k_redial_delay});
}

void PeerList::dropped(const Endpoint& endpoint, Clock::time_point now) {
    if (tried_.contains(endpoint) && !banned_.contains(endpoint.address()) && ++redials_[endpoint] <= k_max_redials) {
        candidates_.push_back({endpoint, 1, now + k_redial_delay});
    }
}

bool PeerList::strike(const Address& address) { return ++strikes_[address] >= k_strikes_to_ban; }

bool PeerList::ban(const Address& address) {
    if (!banned_.insert(address).second) return false;
    std::erase_if(candidates_, [&](const Candidate& c) { return c.endpoint.address() == address; });
    return true;
}

}  // namespace shoal
