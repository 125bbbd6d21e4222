#include "discovery/dht/external_address.hpp"

namespace shoal::dht {

void ExternalAddressVotes::add(const Address& reported, const Address& voter) {
    auto it = votes_.find(reported);
    if (it == votes_.end()) {
        // Many different claims mean the old ones are stale (or someone is lying): start over.
        if (votes_.size() >= k_max_addresses)
            votes_.clear();
        it = votes_.emplace(reported, std::set<Address>{}).first;
    }
    if (it->second.size() < k_max_voters)
        it->second.insert(voter);
}

std::optional<Address> ExternalAddressVotes::leader() const {
    std::optional<Address> best;
    std::size_t most = 0;
    for (const auto& [address, voters] : votes_) {
        if (voters.size() > most) {
            best = address;
            most = voters.size();
        }
    }
    return best;
}

std::size_t ExternalAddressVotes::voters(const Address& reported) const {
    auto it = votes_.find(reported);
    return it == votes_.end() ? 0 : it->second.size();
}

}  // namespace shoal::dht
