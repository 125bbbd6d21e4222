#pragma once
// The peers of one torrent: sorted lists of seeders and leechers, and completed downloads.

#include <cstdint>
#include <vector>

#include "tracker/peer_list.hpp"
#include "tracker/types.hpp"

namespace shoal::tracker {

// How one announce changed the swarm, so the store can keep global totals.
struct SwarmDelta {
    int seeders = 0;
    int leechers = 0;
    bool completed = false;
};

class Swarm {
  public:
    // Adds, updates or (for `stopped`) removes the peer at `endpoint`.
    SwarmDelta announce(const PeerEndpoint& endpoint, const PeerId& id, bool seeding,
                        AnnounceEvent event, std::uint32_t now);

    // Appends up to `numwant` peers other than `self`: only leechers for a seeder, a mix
    // proportional to the swarm for a leecher. `random` picks where each scan starts; peer ids
    // are copied only when asked for (compact replies do not carry them).
    void select(const PeerEndpoint& self, bool self_seeding, std::uint32_t numwant,
                FamilyMask families, std::uint32_t not_before, std::uint64_t random,
                bool with_peer_ids, std::vector<PeerInfo>& out) const;

    // Removes peers last seen before `not_before`.
    SwarmDelta expire(std::uint32_t not_before);

    SwarmCounts counts() const;
    bool empty() const { return seeders_.empty() && leechers_.empty(); }

  private:
    PeerList seeders_;
    PeerList leechers_;
    std::uint32_t completed_ = 0;
};

}  // namespace shoal::tracker
