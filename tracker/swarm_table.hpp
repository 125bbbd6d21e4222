#pragma once
// The swarms of one shard in an open-addressing table: a power-of-two array of Swarm handles
// (one pointer each) probed linearly, and beside it one control byte per slot, zero when the
// slot is empty, else 0x80 and seven bits of the hash, so a probe rarely has to look at a
// swarm's block to rule it out. The hash is keyed, so crafted info-hashes cannot be made to
// share a probe sequence. Lookups are O(1) on average at the at most 80% load kept here.

#include <cstdint>
#include <utility>
#include <vector>

#include "tracker/info_hash_key.hpp"
#include "tracker/swarm.hpp"
#include "tracker/types.hpp"

namespace shoal::tracker {

class SwarmTable {
  public:
    explicit SwarmTable(std::uint64_t seed) : seed_(seed) {}

    Swarm* find(const InfoHash& info_hash);
    const Swarm* find(const InfoHash& info_hash) const;
    // The swarm for `info_hash`, created empty when missing; `second` says it was created.
    // Creating one may move the others, so earlier pointers into the table are stale.
    std::pair<Swarm*, bool> find_or_insert(const InfoHash& info_hash);
    bool erase(const InfoHash& info_hash);

    std::size_t size() const { return size_; }
    std::size_t slot_count() const { return slots_.size(); }
    // The swarm in slot `i` (for sweeps and full scrapes), or nullptr when the slot is empty.
    Swarm* at_slot(std::size_t i) { return control_[i] != 0 ? &slots_[i] : nullptr; }
    const Swarm* at_slot(std::size_t i) const { return control_[i] != 0 ? &slots_[i] : nullptr; }

    // Gives slots back once the table is at most a sixteenth full.
    void shrink_if_sparse();

    // How many slots a lookup of `info_hash` looks at (1 when it sits in its home slot).
    std::size_t probe_length(const InfoHash& info_hash) const;

  private:
    std::uint64_t hash(const InfoHash& info_hash) const { return keyed_hash(seed_, info_hash); }
    // The slot holding `info_hash`, or the empty slot ending its probe sequence.
    std::size_t probe(const InfoHash& info_hash, std::uint64_t hash, bool& found) const;
    void rehash(std::size_t slot_count);

    std::uint64_t seed_;
    std::vector<std::uint8_t> control_;
    std::vector<Swarm> slots_;
    std::size_t size_ = 0;
};

}  // namespace shoal::tracker
