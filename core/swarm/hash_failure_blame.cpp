#include "swarm/hash_failure_blame.hpp"

#include <algorithm>

namespace shoal {

std::optional<HashFailureBlame::Address> HashFailureBlame::sole_sender(const std::vector<Address>& senders) {
    if (senders.empty()) return std::nullopt;
    const bool one = std::all_of(senders.begin(), senders.end(), [&](const Address& a) { return a == senders.front(); });
    return one ? std::optional(senders.front()) : std::nullopt;
}

void HashFailureBlame::piece_failed(std::size_t piece, std::vector<Block> blocks) {
    auto it = failed_.find(piece);
    if (it == failed_.end()) {
        if (failed_.size() == k_max_pieces) {
            failed_.erase(order_.front());
            order_.erase(order_.begin());
        }
        it = failed_.emplace(piece, std::vector<std::vector<Block>>{}).first;
        order_.push_back(piece);
    }
    auto& failures = it->second;
    if (failures.size() == k_max_failures_per_piece) failures.erase(failures.begin());
    failures.push_back(std::move(blocks));
}

std::vector<HashFailureBlame::Address> HashFailureBlame::piece_passed(std::size_t piece,
                                                                       const std::vector<Sha1Hash>& good) {
    std::vector<Address> liars;
    auto it = failed_.find(piece);
    if (it == failed_.end()) return liars;
    for (const auto& failure : it->second) {
        for (std::size_t b = 0; b < failure.size() && b < good.size(); ++b) {
            if (failure[b].hash != good[b] &&
                std::find(liars.begin(), liars.end(), failure[b].sender) == liars.end()) {
                liars.push_back(failure[b].sender);
            }
        }
    }
    failed_.erase(it);
    order_.erase(std::find(order_.begin(), order_.end(), piece));
    return liars;
}

}  // namespace shoal
