#pragma once
// All swarms in memory, sharded by info-hash; each shard has its own lock.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "tracker/swarm_table.hpp"
#include "tracker/types.hpp"

namespace shoal::tracker {

struct StoreOptions {
    std::size_t shard_count = 64;
    // Seconds after its last announce that a peer is dropped.
    std::uint32_t peer_timeout = 2400;
    // Keys the info-hash hash so crafted hashes cannot pile into one bucket.
    std::uint64_t hash_seed = 0x5bd1e9955bd1e995ull;
};

struct StoreAnnounce {
    InfoHash info_hash;
    PeerEndpoint endpoint;
    AnnounceEvent event = AnnounceEvent::none;
    bool seeding = false;
    std::uint32_t numwant = 0;
    FamilyMask families;
};

struct StoreTotals {
    std::int64_t torrents = 0;
    std::int64_t seeders = 0;
    std::int64_t leechers = 0;
};

class SwarmStore {
  public:
    explicit SwarmStore(StoreOptions options = {});

    // Records the announce and appends chosen peers to `out`; returns the swarm's counts
    // after the change. `now` is seconds on a monotonic clock; `random` seeds the choice.
    SwarmCounts announce(const StoreAnnounce& request, std::uint32_t now, std::uint64_t random,
                         std::vector<PeerInfo>& out);
    // The same, appending each chosen peer compact: its address then its port in network
    // order (the UDP reply's form, when `request.families` names one family).
    SwarmCounts announce(const StoreAnnounce& request, std::uint32_t now, std::uint64_t random,
                         std::vector<std::uint8_t>& compact);

    // Counts for one torrent, or nullopt when the store has no such swarm.
    std::optional<SwarmCounts> scrape(const InfoHash& info_hash) const;

    // Calls `visit` for every swarm, one shard locked at a time (for a full scrape).
    void for_each(const std::function<void(const InfoHash&, const SwarmCounts&)>& visit) const;

    // Drops expired peers and empty swarms in a bounded slice of every shard; repeated calls
    // cover the whole store about every `passes_per_sweep` calls. Returns peers removed.
    std::size_t expire_step(std::uint32_t now, std::size_t passes_per_sweep = 30);

    StoreTotals totals() const;
    const StoreOptions& options() const { return options_; }

  private:
    struct Shard {
        mutable std::mutex mutex;
        SwarmTable swarms;
        std::size_t cursor = 0;  // next slot the sweep looks at
        explicit Shard(std::uint64_t seed) : swarms(seed) {}
    };

    Shard& shard_for(const InfoHash& h) const;
    template <class Out>
    SwarmCounts announce_into(const StoreAnnounce& request, std::uint32_t now,
                              std::uint64_t random, Out& out);
    void apply(const SwarmDelta& delta);

    StoreOptions options_;
    std::vector<std::unique_ptr<Shard>> shards_;
    std::atomic<std::int64_t> torrents_{0};
    std::atomic<std::int64_t> seeders_{0};
    std::atomic<std::int64_t> leechers_{0};
};

}  // namespace shoal::tracker
