#include "tracker/swarm.hpp"

namespace shoal::tracker {

SwarmDelta Swarm::announce(const PeerEndpoint& endpoint, const PeerId& id, bool seeding,
                           AnnounceEvent event, std::uint32_t now) {
    SwarmDelta delta;
    const PeerRecord rec = PeerRecord::make(endpoint, now);
    // Most announces repeat the peer's state, so look where it claims to be first.
    std::size_t in_seeders = PeerList::npos;
    std::size_t in_leechers = PeerList::npos;
    if (seeding) {
        in_seeders = seeders_.find(rec);
        if (in_seeders == PeerList::npos)
            in_leechers = leechers_.find(rec);
    } else {
        in_leechers = leechers_.find(rec);
        if (in_leechers == PeerList::npos)
            in_seeders = seeders_.find(rec);
    }
    const bool was_seeder = in_seeders != PeerList::npos;
    const bool was_leecher = in_leechers != PeerList::npos;

    // A download counts once: when a known leecher reports nothing left (whatever the event;
    // some clients stop at once without sending `completed`), or when a peer the tracker has
    // not seen as a seeder says it completed.
    if ((was_leecher && seeding) || (event == AnnounceEvent::completed && !was_seeder)) {
        ++completed_;
        delta.completed = true;
    }
    if (event == AnnounceEvent::stopped) {
        if (was_seeder) {
            seeders_.erase(in_seeders);
            delta.seeders = -1;
        } else if (was_leecher) {
            leechers_.erase(in_leechers);
            delta.leechers = -1;
        }
        return delta;
    }
    PeerList& target = seeding ? seeders_ : leechers_;
    PeerList& other = seeding ? leechers_ : seeders_;
    const std::size_t in_target = seeding ? in_seeders : in_leechers;
    const std::size_t in_other = seeding ? in_leechers : in_seeders;
    if (in_target != PeerList::npos) {
        target.update(in_target, rec, id);
        return delta;
    }
    if (in_other != PeerList::npos) {
        other.erase(in_other);
        (seeding ? delta.leechers : delta.seeders) = -1;
    }
    target.insert(rec, id);
    (seeding ? delta.seeders : delta.leechers) = 1;
    return delta;
}

void Swarm::select(const PeerEndpoint& self, bool self_seeding, std::uint32_t numwant,
                   FamilyMask families, std::uint32_t not_before, std::uint64_t random,
                   bool with_peer_ids, std::vector<PeerInfo>& out) const {
    const PeerRecord me = PeerRecord::make(self, 0);
    if (self_seeding) {
        leechers_.take(me, numwant, families, not_before, random, 0, with_peer_ids, out);
        return;
    }
    const std::uint64_t s = seeders_.size();
    const std::uint64_t total = s + leechers_.size();
    if (total == 0 || numwant == 0)
        return;
    // Seeders' share, rounded up so a leecher in a seeded swarm always sees a seeder.
    const auto seed_share = static_cast<std::uint32_t>((numwant * s + total - 1) / total);
    const std::uint64_t r2 = random * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull;
    const auto l = leechers_.take(me, numwant - seed_share, families, not_before, random, 0,
                                  with_peer_ids, out);
    const auto sd =
        seeders_.take(me, numwant - l.taken, families, not_before, r2, 0, with_peer_ids, out);
    const std::uint32_t got = l.taken + sd.taken;
    if (got < numwant) {
        // Seeders ran short: more leechers may fill the gap.
        leechers_.take(me, numwant - got, families, not_before, random, l.next, with_peer_ids, out);
    }
}

SwarmDelta Swarm::expire(std::uint32_t not_before) {
    SwarmDelta delta;
    delta.seeders = -static_cast<int>(seeders_.expire(not_before));
    delta.leechers = -static_cast<int>(leechers_.expire(not_before));
    return delta;
}

SwarmCounts Swarm::counts() const {
    return {static_cast<std::uint32_t>(seeders_.size()),
            static_cast<std::uint32_t>(leechers_.size()), completed_};
}

}  // namespace shoal::tracker
