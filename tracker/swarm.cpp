#include "tracker/swarm.hpp"

#include <algorithm>
#include <cstring>

namespace shoal::tracker {
namespace {

// The sort key is (address, port, family). Any total order works, so the address is compared
// as two native-endian words: inline, no call into memcmp on the hot path.
struct Key {
    std::uint64_t hi, lo;
    std::uint32_t rest;  // port and family
    static Key of(const PeerRecord& r) {
        Key k;
        std::memcpy(&k.hi, r.address.data(), 8);
        std::memcpy(&k.lo, r.address.data() + 8, 8);
        k.rest = (std::uint32_t{r.port} << 8) | r.family;
        return k;
    }
    bool operator==(const Key&) const = default;
    bool operator<(const Key& o) const {
        if (hi != o.hi)
            return hi < o.hi;
        if (lo != o.lo)
            return lo < o.lo;
        return rest < o.rest;
    }
};

bool key_less(const PeerRecord& a, const PeerRecord& b) {
    return Key::of(a) < Key::of(b);
}
bool key_equal(const PeerRecord& a, const PeerRecord& b) {
    return Key::of(a) == Key::of(b);
}

std::vector<PeerRecord>::iterator find(std::vector<PeerRecord>& v, const PeerRecord& key) {
    auto it = std::lower_bound(v.begin(), v.end(), key, key_less);
    return (it != v.end() && key_equal(*it, key)) ? it : v.end();
}

void insert_sorted(std::vector<PeerRecord>& v, const PeerRecord& rec) {
    v.insert(std::upper_bound(v.begin(), v.end(), rec, key_less), rec);
}

struct Scan {
    std::uint32_t taken = 0;
    std::size_t next = 0;  // how far the scan got, to resume without repeats
};

// Takes up to `want` usable records from `v`, scanning positions `from`.. from a rotated start.
Scan take(const std::vector<PeerRecord>& v, const PeerRecord& self, std::uint32_t want,
          FamilyMask families, std::uint32_t not_before, std::uint64_t random, std::size_t from,
          bool with_peer_ids, std::vector<PeerInfo>& out) {
    Scan scan{0, from};
    if (v.empty())
        return scan;
    const std::size_t n = v.size();
    const std::size_t start = static_cast<std::size_t>(random % n);
    const Key me = Key::of(self);
    std::size_t at = start + scan.next;
    if (at >= n)
        at -= n;
    for (; scan.next < n && scan.taken < want; ++scan.next) {
        const PeerRecord& r = v[at];
        if (++at == n)
            at = 0;
        if (r.last_seen < not_before)
            continue;
        if (!families.allows(static_cast<Family>(r.family)))
            continue;
        if (r.port == self.port && Key::of(r) == me)
            continue;
        PeerInfo& p = out.emplace_back();
        p.endpoint.address.bytes = r.address;
        p.endpoint.address.family = static_cast<Family>(r.family);
        p.endpoint.port = r.port;
        if (with_peer_ids)
            p.peer_id.bytes = r.peer_id;
        ++scan.taken;
    }
    return scan;
}

}  // namespace

PeerRecord PeerRecord::make(const PeerEndpoint& endpoint, const PeerId& id, std::uint32_t now) {
    PeerRecord r;
    r.address = endpoint.address.bytes;
    if (endpoint.address.family == Family::v4)
        std::fill(r.address.begin() + 4, r.address.end(), 0);
    r.port = endpoint.port;
    r.family = static_cast<std::uint8_t>(endpoint.address.family);
    r.last_seen = now;
    r.peer_id = id.bytes;
    return r;
}

PeerInfo PeerRecord::info() const {
    PeerInfo p;
    p.endpoint.address.bytes = address;
    p.endpoint.address.family = static_cast<Family>(family);
    p.endpoint.port = port;
    p.peer_id.bytes = peer_id;
    return p;
}

SwarmDelta Swarm::announce(const PeerEndpoint& endpoint, const PeerId& id, bool seeding,
                           AnnounceEvent event, std::uint32_t now) {
    SwarmDelta delta;
    const PeerRecord rec = PeerRecord::make(endpoint, id, now);
    // Most announces repeat the peer's state, so look where it claims to be first.
    auto in_seeders = seeders_.end();
    auto in_leechers = leechers_.end();
    if (seeding) {
        in_seeders = find(seeders_, rec);
        if (in_seeders == seeders_.end())
            in_leechers = find(leechers_, rec);
    } else {
        in_leechers = find(leechers_, rec);
        if (in_leechers == leechers_.end())
            in_seeders = find(seeders_, rec);
    }
    const bool was_seeder = in_seeders != seeders_.end();
    const bool was_leecher = in_leechers != leechers_.end();

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
    if (seeding) {
        if (was_seeder) {
            *in_seeders = rec;
            return delta;
        }
        if (was_leecher) {
            leechers_.erase(in_leechers);
            delta.leechers = -1;
        }
        insert_sorted(seeders_, rec);
        delta.seeders = 1;
    } else {
        if (was_leecher) {
            *in_leechers = rec;
            return delta;
        }
        if (was_seeder) {
            seeders_.erase(in_seeders);
            delta.seeders = -1;
        }
        insert_sorted(leechers_, rec);
        delta.leechers = 1;
    }
    return delta;
}

void Swarm::select(const PeerEndpoint& self, bool self_seeding, std::uint32_t numwant,
                   FamilyMask families, std::uint32_t not_before, std::uint64_t random,
                   bool with_peer_ids, std::vector<PeerInfo>& out) const {
    const PeerRecord me = PeerRecord::make(self, PeerId{}, 0);
    if (self_seeding) {
        take(leechers_, me, numwant, families, not_before, random, 0, with_peer_ids, out);
        return;
    }
    const std::uint64_t s = seeders_.size();
    const std::uint64_t total = s + leechers_.size();
    if (total == 0 || numwant == 0)
        return;
    // Seeders' share, rounded up so a leecher in a seeded swarm always sees a seeder.
    const auto seed_share = static_cast<std::uint32_t>((numwant * s + total - 1) / total);
    const std::uint64_t r2 = random * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull;
    const Scan l = take(leechers_, me, numwant - seed_share, families, not_before, random, 0,
                        with_peer_ids, out);
    const Scan sd =
        take(seeders_, me, numwant - l.taken, families, not_before, r2, 0, with_peer_ids, out);
    const std::uint32_t got = l.taken + sd.taken;
    if (got < numwant) {
        // Seeders ran short: more leechers may fill the gap.
        take(leechers_, me, numwant - got, families, not_before, random, l.next, with_peer_ids,
             out);
    }
}

SwarmDelta Swarm::expire(std::uint32_t not_before) {
    SwarmDelta delta;
    auto stale = [not_before](const PeerRecord& r) { return r.last_seen < not_before; };
    const auto s = std::erase_if(seeders_, stale);
    const auto l = std::erase_if(leechers_, stale);
    delta.seeders = -static_cast<int>(s);
    delta.leechers = -static_cast<int>(l);
    if (seeders_.capacity() > 16 && seeders_.size() < seeders_.capacity() / 4) {
        seeders_.shrink_to_fit();
    }
    if (leechers_.capacity() > 16 && leechers_.size() < leechers_.capacity() / 4) {
        leechers_.shrink_to_fit();
    }
    return delta;
}

SwarmCounts Swarm::counts() const {
    return {static_cast<std::uint32_t>(seeders_.size()),
            static_cast<std::uint32_t>(leechers_.size()), completed_};
}

}  // namespace shoal::tracker
