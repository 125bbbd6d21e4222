#include "discovery/dht/external_address.hpp"

#include <algorithm>
#include <cstdint>

namespace shoal::dht {
namespace {

namespace ip = boost::asio::ip;

// The network a voter belongs to: its /24, or its /64 for IPv6 (IPv4-mapped counts as IPv4).
Address network_of(const Address& voter) {
    if (voter.is_v6() && voter.to_v6().is_v4_mapped())
        return network_of(ip::make_address_v4(ip::v4_mapped, voter.to_v6()));
    if (voter.is_v4())
        return ip::address_v4(voter.to_v4().to_uint() & 0xffffff00u);
    auto bytes = voter.to_v6().to_bytes();
    std::fill(bytes.begin() + 8, bytes.end(), std::uint8_t{0});
    return ip::address_v6(bytes);
}

}  // namespace

bool ExternalAddressVotes::add(const Address& reported, const Address& voter, TimePoint now) {
    std::erase_if(votes_, [&](const auto& entry) { return !live(entry.second, now); });
    const Address network = network_of(voter);
    if (auto it = votes_.find(network); it != votes_.end())
        it->second = Vote{reported, now};
    else if (votes_.size() < rules_.max_votes)
        votes_.emplace(network, Vote{reported, now});
    else
        return false;

    std::map<Address, std::size_t> tally;
    for (const auto& [_, vote] : votes_)
        ++tally[vote.reported];
    const auto top = std::max_element(tally.begin(), tally.end(),
                                      [](auto& a, auto& b) { return a.second < b.second; });
    const auto& [address, count] = *top;
    if (address == settled_ || count < rules_.min_voters || 2 * count <= votes_.size())
        return false;
    settled_ = address;
    return true;
}

std::size_t ExternalAddressVotes::voters(const Address& reported, TimePoint now) const {
    return static_cast<std::size_t>(std::count_if(votes_.begin(), votes_.end(), [&](auto& entry) {
        return entry.second.reported == reported && live(entry.second, now);
    }));
}

}  // namespace shoal::dht
