#pragma once
// A set of info-hashes for lookups on every announce (the access list): one flat array of
// info-hashes probed linearly, at most half full, with a control byte a slot beside it.
// Keyed by a random seed, so the probe sequences of a deny-list cannot be predicted.

#include <cstdint>
#include <vector>

#include "tracker/types.hpp"

namespace shoal::tracker {

class InfoHashSet {
  public:
    InfoHashSet();
    InfoHashSet(std::initializer_list<InfoHash> hashes);

    // False when it was already there.
    bool insert(const InfoHash& h);
    bool contains(const InfoHash& h) const;
    std::size_t size() const { return size_; }
    bool empty() const { return size_ == 0; }
    void clear();

  private:
    std::size_t probe(const InfoHash& h, std::uint64_t hash, bool& found) const;
    void rehash(std::size_t slot_count);

    std::uint64_t seed_;
    std::vector<std::uint8_t> control_;
    std::vector<InfoHash> slots_;
    std::size_t size_ = 0;
};

}  // namespace shoal::tracker
