#pragma once
// Our external address as other nodes report it (BEP 42 "ip" in replies): a vote counted
// once per reporting address, so a single node cannot talk us into an address.

#include <cstddef>
#include <map>
#include <optional>
#include <set>

#include "discovery/dht/node_id.hpp"

namespace shoal::dht {

class ExternalAddressVotes {
  public:
    // `voter` says it sees us at `reported`.
    void add(const Address& reported, const Address& voter);
    // The address reported by the most distinct voters, if any.
    std::optional<Address> leader() const;
    // Distinct voters for `reported`.
    std::size_t voters(const Address& reported) const;

  private:
    static constexpr std::size_t k_max_addresses = 16;
    static constexpr std::size_t k_max_voters = 64;
    std::map<Address, std::set<Address>> votes_;
};

}  // namespace shoal::dht
