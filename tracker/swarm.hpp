#pragma once
// The peers of one torrent and its completed downloads, in one heap block: a 44-byte header
// (info-hash, completed count, the length of each run, capacity) followed by four sorted runs
// of packed records: IPv4 seeders, IPv4 leechers, IPv6 seeders, IPv6 leechers. A swarm of
// one IPv4 peer takes 56 bytes (a 64-byte malloc chunk); the handle itself is one pointer.

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

struct SwarmBlock;

class Swarm {
  public:
    // Holds no swarm: only an empty slot of a table is in this state.
    Swarm() = default;
    explicit Swarm(const InfoHash& info_hash);
    Swarm(Swarm&& other) noexcept;
    Swarm& operator=(Swarm&& other) noexcept;
    Swarm(const Swarm&) = delete;
    Swarm& operator=(const Swarm&) = delete;
    ~Swarm();

    bool vacant() const { return block_ == nullptr; }
    const InfoHash& info_hash() const;

    // Adds, updates or (for `stopped`) removes the peer at `endpoint`.
    SwarmDelta announce(const PeerEndpoint& endpoint, bool seeding, AnnounceEvent event,
                        std::uint32_t now);

    // Appends up to `numwant` peers of the allowed families other than `self`: only leechers
    // for a seeder, a mix proportional to the swarm for a leecher. `random` picks where each
    // scan starts; peers last seen before `not_before` are skipped.
    void select(const PeerEndpoint& self, bool self_seeding, std::uint32_t numwant,
                FamilyMask families, std::uint32_t not_before, std::uint64_t random,
                std::vector<PeerInfo>& out) const;
    // The same, appending each peer compact: its address then its port in network order.
    void select(const PeerEndpoint& self, bool self_seeding, std::uint32_t numwant,
                FamilyMask families, std::uint32_t not_before, std::uint64_t random,
                std::vector<std::uint8_t>& compact) const;

    // Starts loading the records that announce(endpoint, seeding, …) and then
    // select(endpoint, seeding, numwant, families, …, random, …) read first, so that their
    // cache misses overlap instead of following one another.
    void prefetch(const PeerEndpoint& endpoint, bool seeding, std::uint32_t numwant,
                  FamilyMask families, std::uint64_t random) const;

    // Removes peers last seen before `not_before`.
    SwarmDelta expire(std::uint32_t not_before);

    SwarmCounts counts() const;
    bool empty() const;
    // Bytes of the heap block, header included.
    std::size_t block_bytes() const;

  private:
    enum Run : unsigned { v4_seeders, v4_leechers, v6_seeders, v6_leechers, run_count };

    static Run run_of(Family family, bool seeding);
    static Family family_of(Run run) { return run < v6_seeders ? Family::v4 : Family::v6; }
    static bool seeders_run(Run run) { return run == v4_seeders || run == v6_seeders; }

    PeerRun run(Run r) const;
    PeerRunPair runs(bool seeders, FamilyMask families) const;
    template <class Out>
    void select_into(const PeerEndpoint& self, bool self_seeding, std::uint32_t numwant,
                     FamilyMask families, std::uint32_t not_before, std::uint64_t random,
                     Out& out) const;
    std::size_t run_offset(Run r) const;
    std::size_t used_bytes() const { return run_offset(run_count); }
    void insert(Run r, std::size_t index, const PeerKey& key, std::uint32_t now);
    void erase(Run r, std::size_t index);
    void touch(Run r, std::size_t index, std::uint32_t now);
    void resize_block(std::size_t record_bytes);
    void shrink_if_sparse();

    SwarmBlock* block_ = nullptr;
};

}  // namespace shoal::tracker
