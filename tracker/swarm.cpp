#include "tracker/swarm.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <cstring>
#include <new>
#include <utility>

namespace shoal::tracker {

struct SwarmBlock {
    InfoHash info_hash;
    std::uint32_t completed;
    std::array<std::uint32_t, 4> counts;  // records in each run, in run order
    std::uint32_t capacity;               // bytes of records the block has room for

    std::uint8_t* records() { return reinterpret_cast<std::uint8_t*>(this + 1); }
    const std::uint8_t* records() const { return reinterpret_cast<const std::uint8_t*>(this + 1); }
};
static_assert(sizeof(SwarmBlock) == 44);

namespace {

// Block sizes of 16k+8 bytes fill a chunk of glibc's malloc (and of allocators with 16-byte
// size classes and an 8-byte header) to the last byte, so capacity is not left unused.
std::size_t block_size_for(std::size_t record_bytes) {
    const std::size_t total = sizeof(SwarmBlock) + record_bytes;
    return (total + 7) / 16 * 16 + 8;
}

// Blocks past this size grow by a quarter at a time, so big swarms reallocate rarely.
constexpr std::size_t k_proportional_growth_from = 256;

// A leecher's reply: the seeders' share of `numwant`, in proportion to the swarm and rounded
// up, so a leecher in a seeded swarm always sees a seeder.
std::uint32_t seeder_share(std::uint32_t numwant, std::uint64_t seeders, std::uint64_t total) {
    return static_cast<std::uint32_t>((numwant * seeders + total - 1) / total);
}

// Where the scan of the seeders starts, independent of the leechers' start `random`.
std::uint64_t seeders_random(std::uint64_t random) {
    return random * 0x9E3779B97F4A7C15ull + 0x632BE59BD9B4E019ull;
}

// Blocks with at most this many bytes of records are loaded whole ahead of an announce.
constexpr std::size_t k_prefetch_whole_bytes = 4096;

}  // namespace

Swarm::Swarm(const InfoHash& info_hash) {
    const std::size_t size = block_size_for(0);
    void* memory = std::malloc(size);
    if (memory == nullptr)
        throw std::bad_alloc();
    block_ = new (memory)
        SwarmBlock{info_hash, 0, {}, static_cast<std::uint32_t>(size - sizeof(SwarmBlock))};
}

Swarm::Swarm(Swarm&& other) noexcept : block_(std::exchange(other.block_, nullptr)) {}

Swarm& Swarm::operator=(Swarm&& other) noexcept {
    if (this != &other) {
        std::free(block_);
        block_ = std::exchange(other.block_, nullptr);
    }
    return *this;
}

Swarm::~Swarm() {
    std::free(block_);
}

const InfoHash& Swarm::info_hash() const {
    return block_->info_hash;
}

Swarm::Run Swarm::run_of(Family family, bool seeding) {
    const unsigned base = family == Family::v4 ? v4_seeders : v6_seeders;
    return static_cast<Run>(base + (seeding ? 0 : 1));
}

std::size_t Swarm::run_offset(Run r) const {
    std::size_t offset = 0;
    for (unsigned k = 0; k < r; ++k)
        offset += std::size_t{block_->counts[k]} * record_bytes(family_of(static_cast<Run>(k)));
    return offset;
}

PeerRun Swarm::run(Run r) const {
    return {block_->records() + run_offset(r), block_->counts[r], family_of(r)};
}

PeerRunPair Swarm::runs(bool seeders, FamilyMask families) const {
    PeerRunPair pair;
    if (families.v4)
        pair.first = run(seeders ? v4_seeders : v4_leechers);
    if (families.v6)
        pair.second = run(seeders ? v6_seeders : v6_leechers);
    return pair;
}

void Swarm::resize_block(std::size_t record_bytes) {
    const std::size_t size = block_size_for(record_bytes);
    void* memory = std::realloc(block_, size);
    if (memory == nullptr)
        throw std::bad_alloc();
    block_ = static_cast<SwarmBlock*>(memory);
    block_->capacity = static_cast<std::uint32_t>(size - sizeof(SwarmBlock));
}

void Swarm::shrink_if_sparse() {
    const std::size_t used = used_bytes();
    const std::size_t capacity = block_->capacity;
    if (capacity - used >= 64 && used * 2 < capacity)
        resize_block(used);
}

void Swarm::insert(Run r, std::size_t index, const PeerKey& key, std::uint32_t now) {
    const std::size_t size = record_bytes(family_of(r));
    const std::size_t used = used_bytes();
    if (used + size > block_->capacity) {
        std::size_t wanted = used + size;
        const std::size_t block = sizeof(SwarmBlock) + block_->capacity;
        if (block >= k_proportional_growth_from)
            wanted = std::max(wanted, block + block / 4 - sizeof(SwarmBlock));
        resize_block(wanted);
    }
    std::uint8_t* records = block_->records();
    const std::size_t at = run_offset(r) + index * size;
    std::memmove(records + at + size, records + at, used - at);
    write_record(records + at, key, now);
    ++block_->counts[r];
}

void Swarm::erase(Run r, std::size_t index) {
    const std::size_t size = record_bytes(family_of(r));
    const std::size_t used = used_bytes();
    std::uint8_t* records = block_->records();
    const std::size_t at = run_offset(r) + index * size;
    std::memmove(records + at, records + at + size, used - at - size);
    --block_->counts[r];
    shrink_if_sparse();
}

void Swarm::touch(Run r, std::size_t index, std::uint32_t now) {
    const Family family = family_of(r);
    std::uint8_t* record = block_->records() + run_offset(r) + index * record_bytes(family);
    set_record_last_seen(record, family, now);
}

SwarmDelta Swarm::announce(const PeerEndpoint& endpoint, bool seeding, AnnounceEvent event,
                           std::uint32_t now) {
    SwarmDelta delta;
    const PeerKey key = PeerKey::of(endpoint);
    const Run target = run_of(key.family, seeding);
    const Run other = run_of(key.family, !seeding);
    // Most announces repeat the peer's state, so look where it claims to be first.
    bool in_target = false;
    bool in_other = false;
    const std::size_t target_index = run(target).lower_bound(key, in_target);
    std::size_t other_index = 0;
    if (!in_target)
        other_index = run(other).lower_bound(key, in_other);
    const bool was_seeder = seeding ? in_target : in_other;
    const bool was_leecher = seeding ? in_other : in_target;

    // A download counts once: when a known leecher reports nothing left (whatever the event;
    // some clients stop at once without sending `completed`), or when a peer the tracker has
    // not seen as a seeder says it completed.
    if ((was_leecher && seeding) || (event == AnnounceEvent::completed && !was_seeder)) {
        ++block_->completed;
        delta.completed = true;
    }
    int& target_delta = seeding ? delta.seeders : delta.leechers;
    int& other_delta = seeding ? delta.leechers : delta.seeders;
    if (event == AnnounceEvent::stopped) {
        if (in_target) {
            erase(target, target_index);
            target_delta = -1;
        } else if (in_other) {
            erase(other, other_index);
            other_delta = -1;
        }
        return delta;
    }
    if (in_target) {
        touch(target, target_index, now);
        return delta;
    }
    if (in_other) {
        erase(other, other_index);
        other_delta = -1;
    }
    // Indices are per run, so the erase above left `target_index` valid.
    insert(target, target_index, key, now);
    target_delta = 1;
    return delta;
}

void Swarm::select(const PeerEndpoint& self, bool self_seeding, std::uint32_t numwant,
                   FamilyMask families, std::uint32_t not_before, std::uint64_t random,
                   std::vector<PeerInfo>& out) const {
    select_into(self, self_seeding, numwant, families, not_before, random, out);
}

void Swarm::select(const PeerEndpoint& self, bool self_seeding, std::uint32_t numwant,
                   FamilyMask families, std::uint32_t not_before, std::uint64_t random,
                   std::vector<std::uint8_t>& compact) const {
    select_into(self, self_seeding, numwant, families, not_before, random, compact);
}

template <class Out>
void Swarm::select_into(const PeerEndpoint& self, bool self_seeding, std::uint32_t numwant,
                        FamilyMask families, std::uint32_t not_before, std::uint64_t random,
                        Out& out) const {
    const PeerKey me = PeerKey::of(self);
    const PeerRunPair leechers = runs(false, families);
    if (self_seeding) {
        leechers.take(me, numwant, not_before, random, 0, out);
        return;
    }
    const PeerRunPair seeders = runs(true, families);
    const std::uint64_t s = seeders.size();
    const std::uint64_t total = s + leechers.size();
    if (total == 0 || numwant == 0)
        return;
    const std::uint32_t seed_share = seeder_share(numwant, s, total);
    const auto l = leechers.take(me, numwant - seed_share, not_before, random, 0, out);
    const auto sd =
        seeders.take(me, numwant - l.taken, not_before, seeders_random(random), 0, out);
    const std::uint32_t got = l.taken + sd.taken;
    if (got < numwant) {
        // Seeders ran short: more leechers may fill the gap.
        leechers.take(me, numwant - got, not_before, random, l.next, out);
    }
}

void Swarm::prefetch(const PeerEndpoint& endpoint, bool seeding, std::uint32_t numwant,
                     FamilyMask families, std::uint64_t random) const {
    const std::uint8_t* records = block_->records();
    const std::size_t used = used_bytes();
    if (used <= k_prefetch_whole_bytes) {
        prefetch_bytes(records, records + used);
        return;
    }
    run(run_of(endpoint.address.family, seeding)).prefetch_search();
    const PeerRunPair leechers = runs(false, families);
    if (seeding) {
        leechers.prefetch_take(numwant, random);
        return;
    }
    const PeerRunPair seeders = runs(true, families);
    const std::uint64_t total = seeders.size() + leechers.size();
    if (total == 0 || numwant == 0)
        return;
    const std::uint32_t seed_share = seeder_share(numwant, seeders.size(), total);
    leechers.prefetch_take(numwant - seed_share, random);
    seeders.prefetch_take(seed_share, seeders_random(random));
}

SwarmDelta Swarm::expire(std::uint32_t not_before) {
    SwarmDelta delta;
    std::uint8_t* records = block_->records();
    std::size_t read = 0;
    std::size_t write = 0;
    for (unsigned r = 0; r < run_count; ++r) {
        const Family family = family_of(static_cast<Run>(r));
        const std::size_t size = record_bytes(family);
        const std::uint32_t count = block_->counts[r];
        std::uint32_t kept = 0;
        for (std::uint32_t i = 0; i < count; ++i, read += size) {
            if (record_last_seen(records + read, family) < not_before)
                continue;
            if (write != read)
                std::memmove(records + write, records + read, size);
            write += size;
            ++kept;
        }
        const int removed = -static_cast<int>(count - kept);
        (seeders_run(static_cast<Run>(r)) ? delta.seeders : delta.leechers) += removed;
        block_->counts[r] = kept;
    }
    if (write != read)
        shrink_if_sparse();
    return delta;
}

SwarmCounts Swarm::counts() const {
    const auto& c = block_->counts;
    return {c[v4_seeders] + c[v6_seeders], c[v4_leechers] + c[v6_leechers], block_->completed};
}

bool Swarm::empty() const {
    const auto& c = block_->counts;
    return (c[0] | c[1] | c[2] | c[3]) == 0;
}

std::size_t Swarm::block_bytes() const {
    return sizeof(SwarmBlock) + block_->capacity;
}

}  // namespace shoal::tracker
