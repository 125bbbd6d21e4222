#include "tracker/swarm_store.hpp"

#include <algorithm>
#include <cstring>

namespace shoal::tracker {
namespace {

std::uint64_t mix(std::uint64_t h, std::uint64_t w) {
    h ^= w;
    h *= 0x9E3779B97F4A7C15ull;
    return h ^ (h >> 29);
}

}  // namespace

std::size_t SwarmStore::Hash::operator()(const InfoHash& h) const noexcept {
    std::uint64_t a = 0, b = 0;
    std::uint32_t c = 0;
    std::memcpy(&a, h.bytes.data(), 8);
    std::memcpy(&b, h.bytes.data() + 8, 8);
    std::memcpy(&c, h.bytes.data() + 16, 4);
    return static_cast<std::size_t>(mix(mix(mix(seed, a), b), c));
}

bool SwarmStore::Equal::operator()(const InfoHash& a, const InfoHash& b) const noexcept {
    std::uint64_t a0, a1, b0, b1;
    std::uint32_t a2, b2;
    std::memcpy(&a0, a.bytes.data(), 8);
    std::memcpy(&b0, b.bytes.data(), 8);
    std::memcpy(&a1, a.bytes.data() + 8, 8);
    std::memcpy(&b1, b.bytes.data() + 8, 8);
    std::memcpy(&a2, a.bytes.data() + 16, 4);
    std::memcpy(&b2, b.bytes.data() + 16, 4);
    return ((a0 ^ b0) | (a1 ^ b1) | (a2 ^ b2)) == 0;
}

SwarmStore::SwarmStore(StoreOptions options) : options_(options) {
    options_.shard_count = std::max<std::size_t>(1, options_.shard_count);
    shards_.reserve(options_.shard_count);
    for (std::size_t i = 0; i < options_.shard_count; ++i) {
        shards_.push_back(std::make_unique<Shard>(options_.hash_seed));
    }
}

SwarmStore::Shard& SwarmStore::shard_for(const InfoHash& h) const {
    // Shard by the top bits of the keyed hash; the map's buckets use the low bits.
    const std::size_t hv = Hash{options_.hash_seed ^ 0xA5A5A5A5ull}(h);
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
    Shard& shard = shard_for(request.info_hash);
    const std::uint32_t not_before = now > options_.peer_timeout ? now - options_.peer_timeout : 0;
    std::lock_guard lock(shard.mutex);
    if (request.event == AnnounceEvent::stopped) {
        auto it = shard.swarms.find(request.info_hash);
        if (it == shard.swarms.end())
            return {};
        apply(it->second.announce(request.endpoint, request.peer_id, request.seeding, request.event,
                                  now));
        return it->second.counts();
    }
    auto [it, inserted] = shard.swarms.try_emplace(request.info_hash);
    if (inserted)
        torrents_.fetch_add(1, std::memory_order_relaxed);
    Swarm& swarm = it->second;
    apply(swarm.announce(request.endpoint, request.peer_id, request.seeding, request.event, now));
    swarm.select(request.endpoint, request.seeding, request.numwant, request.families, not_before,
                 random, request.with_peer_ids, out);
    return swarm.counts();
}

std::optional<SwarmCounts> SwarmStore::scrape(const InfoHash& info_hash) const {
    Shard& shard = shard_for(info_hash);
    std::lock_guard lock(shard.mutex);
    auto it = shard.swarms.find(info_hash);
    if (it == shard.swarms.end())
        return std::nullopt;
    return it->second.counts();
}

void SwarmStore::for_each(
    const std::function<void(const InfoHash&, const SwarmCounts&)>& visit) const {
    for (const auto& shard : shards_) {
        std::lock_guard lock(shard->mutex);
        for (const auto& [hash, swarm] : shard->swarms)
            visit(hash, swarm.counts());
    }
}

std::size_t SwarmStore::expire_step(std::uint32_t now, std::size_t passes_per_sweep) {
    const std::uint32_t not_before = now > options_.peer_timeout ? now - options_.peer_timeout : 0;
    passes_per_sweep = std::max<std::size_t>(1, passes_per_sweep);
    std::size_t removed = 0;
    std::vector<InfoHash> empty;
    for (auto& shard : shards_) {
        std::lock_guard lock(shard->mutex);
        auto& map = shard->swarms;
        const std::size_t buckets = map.bucket_count();
        const std::size_t budget =
            std::max<std::size_t>(16, (buckets + passes_per_sweep - 1) / passes_per_sweep);
        empty.clear();
        for (std::size_t i = 0; i < budget && i < buckets; ++i) {
            const std::size_t b = (shard->cursor + i) % buckets;
            for (auto it = map.begin(b); it != map.end(b); ++it) {
                Swarm& swarm = it->second;
                const SwarmDelta d = swarm.expire(not_before);
                removed += static_cast<std::size_t>(-d.seeders - d.leechers);
                apply(d);
                if (swarm.empty())
                    empty.push_back(it->first);
            }
        }
        shard->cursor = (shard->cursor + budget) % std::max<std::size_t>(1, buckets);
        for (const auto& h : empty)
            map.erase(h);
        torrents_.fetch_sub(static_cast<std::int64_t>(empty.size()), std::memory_order_relaxed);
    }
    return removed;
}

StoreTotals SwarmStore::totals() const {
    return {torrents_.load(std::memory_order_relaxed), seeders_.load(std::memory_order_relaxed),
            leechers_.load(std::memory_order_relaxed)};
}

}  // namespace shoal::tracker
