#include "tracker/swarm_store.hpp"

#include <algorithm>

namespace shoal::tracker {

SwarmStore::SwarmStore(StoreOptions options) : options_(options) {
    options_.shard_count = std::max<std::size_t>(1, options_.shard_count);
    shards_.reserve(options_.shard_count);
    for (std::size_t i = 0; i < options_.shard_count; ++i) {
        shards_.push_back(std::make_unique<Shard>(options_.hash_seed));
    }
}

SwarmStore::Shard& SwarmStore::shard_for(const InfoHash& h) const {
    // A differently keyed hash than the tables use, so a shard's swarms still fill its table's
    // slots evenly.
    const std::uint64_t hv = keyed_hash(options_.hash_seed ^ 0xA5A5A5A5ull, h);
    return *shards_[(hv >> 40) % shards_.size()];
}

void SwarmStore::apply(const SwarmDelta& delta) {
    if (delta.seeders != 0)
        seeders_.fetch_add(delta.seeders, std::memory_order_relaxed);
    if (delta.leechers != 0)
        leechers_.fetch_add(delta.leechers, std::memory_order_relaxed);
}

SwarmCounts SwarmStore::announce(const StoreAnnounce& request, std::uint32_t now,
                                 std::uint64_t random, std::vector<PeerInfo>& out) {
    return announce_into(request, now, random, out);
}

SwarmCounts SwarmStore::announce(const StoreAnnounce& request, std::uint32_t now,
                                 std::uint64_t random, std::vector<std::uint8_t>& compact) {
    return announce_into(request, now, random, compact);
}

template <class Out>
SwarmCounts SwarmStore::announce_into(const StoreAnnounce& request, std::uint32_t now,
                                      std::uint64_t random, Out& out) {
    Shard& shard = shard_for(request.info_hash);
    const std::uint32_t not_before = now > options_.peer_timeout ? now - options_.peer_timeout : 0;
    std::lock_guard lock(shard.mutex);
    if (request.event == AnnounceEvent::stopped) {
        Swarm* swarm = shard.swarms.find(request.info_hash);
        if (swarm == nullptr)
            return {};
        apply(swarm->announce(request.endpoint, request.seeding, request.event, now));
        return swarm->counts();
    }
    auto [swarm, inserted] = shard.swarms.find_or_insert(request.info_hash);
    if (inserted)
        torrents_.fetch_add(1, std::memory_order_relaxed);
    swarm->prefetch(request.endpoint, request.seeding, request.numwant, request.families, random);
    apply(swarm->announce(request.endpoint, request.seeding, request.event, now));
    swarm->select(request.endpoint, request.seeding, request.numwant, request.families, not_before,
                  random, out);
    return swarm->counts();
}

std::optional<SwarmCounts> SwarmStore::scrape(const InfoHash& info_hash) const {
    Shard& shard = shard_for(info_hash);
    std::lock_guard lock(shard.mutex);
    const Swarm* swarm = shard.swarms.find(info_hash);
    if (swarm == nullptr)
        return std::nullopt;
    return swarm->counts();
}

void SwarmStore::for_each(
    const std::function<void(const InfoHash&, const SwarmCounts&)>& visit) const {
    for (const auto& shard : shards_) {
        std::lock_guard lock(shard->mutex);
        const SwarmTable& table = shard->swarms;
        for (std::size_t i = 0; i < table.slot_count(); ++i) {
            if (const Swarm* swarm = table.at_slot(i))
                visit(swarm->info_hash(), swarm->counts());
        }
    }
}

std::size_t SwarmStore::expire_step(std::uint32_t now, std::size_t passes_per_sweep) {
    const std::uint32_t not_before = now > options_.peer_timeout ? now - options_.peer_timeout : 0;
    passes_per_sweep = std::max<std::size_t>(1, passes_per_sweep);
    std::size_t removed = 0;
    std::vector<InfoHash> empty;
    for (auto& shard : shards_) {
        std::lock_guard lock(shard->mutex);
        SwarmTable& table = shard->swarms;
        const std::size_t slots = table.slot_count();
        if (slots == 0)
            continue;
        const std::size_t budget =
            std::max<std::size_t>(16, (slots + passes_per_sweep - 1) / passes_per_sweep);
        empty.clear();
        for (std::size_t i = 0; i < budget && i < slots; ++i) {
            Swarm* swarm = table.at_slot((shard->cursor + i) % slots);
            if (swarm == nullptr)
                continue;
            const SwarmDelta d = swarm->expire(not_before);
            removed += static_cast<std::size_t>(-d.seeders - d.leechers);
            apply(d);
            if (swarm->empty())
                empty.push_back(swarm->info_hash());
        }
        shard->cursor = (shard->cursor + budget) % slots;
        // Erasing moves swarms between slots, so it waits until the slice is done.
        for (const auto& h : empty)
            table.erase(h);
        torrents_.fetch_sub(static_cast<std::int64_t>(empty.size()), std::memory_order_relaxed);
        table.shrink_if_sparse();
        shard->cursor %= std::max<std::size_t>(1, table.slot_count());
    }
    return removed;
}

StoreTotals SwarmStore::totals() const {
    return {torrents_.load(std::memory_order_relaxed), seeders_.load(std::memory_order_relaxed),
            leechers_.load(std::memory_order_relaxed)};
}

}  // namespace shoal::tracker
