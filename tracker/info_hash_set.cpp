#include "tracker/info_hash_set.hpp"

#include <random>

#include "tracker/info_hash_key.hpp"

namespace shoal::tracker {
namespace {

constexpr std::size_t k_min_slots = 16;

std::uint64_t random_seed() {
    std::random_device device;
    return (std::uint64_t{device()} << 32) ^ device();
}

}  // namespace

InfoHashSet::InfoHashSet() : seed_(random_seed()) {}

InfoHashSet::InfoHashSet(std::initializer_list<InfoHash> hashes) : InfoHashSet() {
    for (const auto& h : hashes)
        insert(h);
}

std::size_t InfoHashSet::probe(const InfoHash& h, std::uint64_t hash, bool& found) const {
    return probe_slots(control_, slots_, h, hash, [](const InfoHash& slot) -> const InfoHash& { return slot; }, found);
}

bool InfoHashSet::contains(const InfoHash& h) const {
    if (size_ == 0)
        return false;
    bool found = false;
    probe(h, keyed_hash(seed_, h), found);
    return found;
}

bool InfoHashSet::insert(const InfoHash& h) {
    if ((size_ + 1) * 2 > slots_.size())
        rehash(std::max(k_min_slots, slots_.size() * 2));
    const std::uint64_t hash = keyed_hash(seed_, h);
    bool found = false;
    const std::size_t i = probe(h, hash, found);
    if (found)
        return false;
    control_[i] = slot_control(hash);
    slots_[i] = h;
    ++size_;
    return true;
}

void InfoHashSet::clear() {
    control_.clear();
    slots_.clear();
    size_ = 0;
}

void InfoHashSet::rehash(std::size_t slot_count) {
    rehash_slots(control_, slots_, slot_count, [this](const InfoHash& slot) { return keyed_hash(seed_, slot); });
}

}  // namespace shoal::tracker
