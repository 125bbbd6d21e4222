#pragma once
// The peers of one torrent: two sorted vectors of compact records (seeders, leechers).

#include <cstdint>
#include <vector>

#include "tracker/types.hpp"

namespace shoal::tracker {

// 44 bytes per peer; no heap allocation per peer. Address, port and family are the sort key.
struct PeerRecord {
    std::array<std::uint8_t, 16> address{};
    std::uint16_t port = 0;
    std::uint8_t family = 4;
    std::uint8_t reserved = 0;
    std::uint32_t last_seen = 0;
    std::array<std::uint8_t, 20> peer_id{};

    static PeerRecord make(const PeerEndpoint& endpoint, const PeerId& id, std::uint32_t now);
    PeerInfo info() const;
};
static_assert(sizeof(PeerRecord) == 44);

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
    std::vector<PeerRecord> seeders_;
    std::vector<PeerRecord> leechers_;
    std::uint32_t completed_ = 0;
};

}  // namespace shoal::tracker
