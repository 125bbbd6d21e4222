#pragma once
// Our external address as other nodes report it (BEP 42 "ip" in their replies). Each source
// network (the voter's /24, or /64 for IPv6) has one vote, the last address it reported, and
// a vote counts only for a while after it was cast. The address changes only when enough
// networks agree on another one and they hold more than half of the live votes, so neither a
// few nodes nor a slow trickle of liars over hours can move it (and with it our node id).

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>

#include "discovery/dht/node_id.hpp"

namespace shoal::dht {

struct ExternalAddressRules {
    // How long a vote counts after it was last cast.
    std::chrono::seconds vote_lifetime{30 * 60};
    // Distinct source networks that must report an address before it is taken.
    std::size_t min_voters = 3;
    // Votes kept at once; while full, new networks wait for old votes to expire.
    std::size_t max_votes = 256;
};

class ExternalAddressVotes {
  public:
    explicit ExternalAddressVotes(ExternalAddressRules rules = {}) : rules_(rules) {}

    // `voter` says it sees us at `reported`. True when this changed address().
    bool add(const Address& reported, const Address& voter, TimePoint now);
    // The address the votes settled on, if they have: it stays until another one gets
    // min_voters live votes that are more than half of all live votes.
    std::optional<Address> address() const { return settled_; }
    // Source networks whose live vote is for `reported`.
    std::size_t voters(const Address& reported, TimePoint now) const;

  private:
    struct Vote {
        Address reported;
        TimePoint cast;
    };
    bool live(const Vote& vote, TimePoint now) const {
        return now - vote.cast < rules_.vote_lifetime;
    }

    ExternalAddressRules rules_;
    std::map<Address, Vote> votes_;  // voter's network (address with host bits cleared) -> vote
    std::optional<Address> settled_;
};

}  // namespace shoal::dht
