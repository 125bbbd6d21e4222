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
    const std::size_t mask = slots_.size() - 1;
    const std::uint8_t control = slot_control(hash);
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
        if (control_[i] == 0) {
            found = false;
            return i;
        }
        if (control_[i] == control && same_info_hash(slots_[i], h)) {
            found = true;
            return i;
        }
    }
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
    std::vector<std::uint8_t> control(slot_count, 0);
    std::vector<InfoHash> slots(slot_count);
    const std::size_t mask = slot_count - 1;
    for (std::size_t i = 0; i < slots_.size(); ++i) {
        if (control_[i] == 0)
            continue;
        std::size_t j = keyed_hash(seed_, slots_[i]) & mask;
        while (control[j] != 0)
            j = (j + 1) & mask;
        control[j] = control_[i];
        slots[j] = slots_[i];
    }
    control_ = std::move(control);
    slots_ = std::move(slots);
}

}  // namespace shoal::tracker
