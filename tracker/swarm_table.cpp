#include "tracker/swarm_table.hpp"

#include <algorithm>
#include <cstring>

namespace shoal::tracker {
namespace {

constexpr std::size_t k_min_slots = 16;

// At most 80% of the slots are used; linear probing stays short below that.
bool over_max_load(std::size_t used, std::size_t slots) {
    return used * 5 > slots * 4;
}

}  // namespace

std::size_t SwarmTable::probe(const InfoHash& info_hash, std::uint64_t h, bool& found) const {
    return probe_slots(control_, slots_, info_hash, h, [](const Swarm& s) -> const InfoHash& { return s.info_hash(); },
                       found);
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
    control_[i] = slot_control(h);
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
    rehash_slots(control_, slots_, slot_count, [this](const Swarm& s) { return hash(s.info_hash()); });
}

}  // namespace shoal::tracker
