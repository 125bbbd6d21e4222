#include "tracker/swarm_table.hpp"

#include <algorithm>
#include <cstring>

namespace shoal::tracker {
namespace {

std::uint64_t mix(std::uint64_t h, std::uint64_t w) {
    h ^= w;
    h *= 0x9E3779B97F4A7C15ull;
    return h ^ (h >> 29);
}

// Compares the 20 bytes inline, as three words.
bool same_hash(const InfoHash& a, const InfoHash& b) {
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

constexpr std::size_t k_min_slots = 16;

// At most 80% of the slots are used; linear probing stays short below that.
bool over_max_load(std::size_t used, std::size_t slots) {
    return used * 5 > slots * 4;
}

}  // namespace

std::uint64_t keyed_hash(std::uint64_t seed, const InfoHash& info_hash) {
    std::uint64_t a = 0, b = 0;
    std::uint32_t c = 0;
    std::memcpy(&a, info_hash.bytes.data(), 8);
    std::memcpy(&b, info_hash.bytes.data() + 8, 8);
    std::memcpy(&c, info_hash.bytes.data() + 16, 4);
    std::uint64_t h = mix(mix(mix(seed, a), b), c);
    // Spread every input bit over the low bits too, which pick the slot.
    h ^= h >> 32;
    h *= 0xD6E8FEB86659FD93ull;
    return h ^ (h >> 32);
}

std::size_t SwarmTable::probe(const InfoHash& info_hash, std::uint64_t h, bool& found) const {
    const std::size_t mask = slots_.size() - 1;
    const std::uint8_t control = control_of(h);
    for (std::size_t i = h & mask;; i = (i + 1) & mask) {
        if (control_[i] == 0) {
            found = false;
            return i;
        }
        if (control_[i] == control && same_hash(slots_[i].info_hash(), info_hash)) {
            found = true;
            return i;
        }
    }
}

Swarm* SwarmTable::find(const InfoHash& info_hash) {
    return const_cast<Swarm*>(std::as_const(*this).find(info_hash));
}

const Swarm* SwarmTable::find(const InfoHash& info_hash) const {
    if (size_ == 0)
        return nullptr;
    bool found = false;
    const std::size_t i = probe(info_hash, hash(info_hash), found);
    return found ? &slots_[i] : nullptr;
}

std::pair<Swarm*, bool> SwarmTable::find_or_insert(const InfoHash& info_hash) {
    const std::uint64_t h = hash(info_hash);
    bool found = false;
    std::size_t i = 0;
    if (!slots_.empty()) {
        i = probe(info_hash, h, found);
        if (found)
            return {&slots_[i], false};
    }
    if (slots_.empty() || over_max_load(size_ + 1, slots_.size())) {
        rehash(std::max(k_min_slots, slots_.size() * 2));
        i = probe(info_hash, h, found);
    }
    slots_[i] = Swarm(info_hash);
    control_[i] = control_of(h);
    ++size_;
    return {&slots_[i], true};
}

bool SwarmTable::erase(const InfoHash& info_hash) {
    if (size_ == 0)
        return false;
    bool found = false;
    std::size_t hole = probe(info_hash, hash(info_hash), found);
    if (!found)
        return false;
    slots_[hole] = Swarm();
    control_[hole] = 0;
    --size_;
    // Backward shift: pull later members of the cluster into the hole when the hole lies on
    // their probe path, so no lookup ever stops early at it.
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t j = (hole + 1) & mask; control_[j] != 0; j = (j + 1) & mask) {
        const std::size_t home = hash(slots_[j].info_hash()) & mask;
        if (((j - home) & mask) >= ((j - hole) & mask)) {
            slots_[hole] = std::move(slots_[j]);
            control_[hole] = control_[j];
            control_[j] = 0;
            hole = j;
        }
    }
    return true;
}

std::size_t SwarmTable::probe_length(const InfoHash& info_hash) const {
    if (slots_.empty())
        return 0;
    const std::uint64_t h = hash(info_hash);
    bool found = false;
    const std::size_t mask = slots_.size() - 1;
    const std::size_t end = probe(info_hash, h, found);
    return ((end - (h & mask)) & mask) + 1;
}

void SwarmTable::shrink_if_sparse() {
    if (slots_.size() <= k_min_slots || size_ * 16 >= slots_.size())
        return;
    std::size_t slots = k_min_slots;
    while (size_ * 5 > slots * 2)  // leave the table at most 40% full
        slots *= 2;
    if (slots < slots_.size())
        rehash(slots);
}

void SwarmTable::rehash(std::size_t slot_count) {
    std::vector<std::uint8_t> control(slot_count, 0);
    std::vector<Swarm> slots(slot_count);
    const std::size_t mask = slot_count - 1;
    for (std::size_t i = 0; i < slots_.size(); ++i) {
        if (control_[i] == 0)
            continue;
        std::size_t j = hash(slots_[i].info_hash()) & mask;
        while (control[j] != 0)
            j = (j + 1) & mask;
        control[j] = control_[i];
        slots[j] = std::move(slots_[i]);
    }
    control_ = std::move(control);
    slots_ = std::move(slots);
}

}  // namespace shoal::tracker
