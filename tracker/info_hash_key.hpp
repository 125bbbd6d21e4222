#pragma once
// Hashing and comparing info-hashes for the tracker's own tables, inline: a keyed 64-bit hash
// (so crafted info-hashes cannot be made to share a probe sequence) and a 20-byte equality
// without a call into memcmp.

#include <cstdint>
#include <cstring>
#include <vector>

#include "tracker/types.hpp"

namespace shoal::tracker {

namespace detail {
inline std::uint64_t mix(std::uint64_t h, std::uint64_t w) {
    h ^= w;
    h *= 0x9E3779B97F4A7C15ull;
    return h ^ (h >> 29);
}
}  // namespace detail

// A 64-bit hash of `info_hash` keyed by `seed`.
inline std::uint64_t keyed_hash(std::uint64_t seed, const InfoHash& info_hash) {
    std::uint64_t a = 0, b = 0;
    std::uint32_t c = 0;
    std::memcpy(&a, info_hash.bytes.data(), 8);
    std::memcpy(&b, info_hash.bytes.data() + 8, 8);
    std::memcpy(&c, info_hash.bytes.data() + 16, 4);
    std::uint64_t h = detail::mix(detail::mix(detail::mix(seed, a), b), c);
    // Spread every input bit over the low bits too, which pick the slot.
    h ^= h >> 32;
    h *= 0xD6E8FEB86659FD93ull;
    return h ^ (h >> 32);
}

// Compares the 20 bytes as three words.
inline bool same_info_hash(const InfoHash& a, const InfoHash& b) {
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

// One byte a slot for open-addressing tables: zero when the slot is empty, else 0x80 and seven
// bits of the hash, so a probe rarely has to compare a whole info-hash to rule a slot out.
inline std::uint8_t slot_control(std::uint64_t hash) {
    return static_cast<std::uint8_t>(0x80 | (hash >> 57));
}

// Linear probing over a power-of-two table of `slots` with their `control` bytes, keyed by
// info-hash (`key_of(slot)`): the slot holding `info_hash`, or the empty slot that ends its
// probe sequence; `found` says which. The table is never full.
template <class Slot, class KeyOf>
std::size_t probe_slots(const std::vector<std::uint8_t>& control, const std::vector<Slot>& slots,
                        const InfoHash& info_hash, std::uint64_t hash, KeyOf key_of, bool& found) {
    const std::size_t mask = slots.size() - 1;
    const std::uint8_t wanted = slot_control(hash);
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
        if (control[i] == 0) {
            found = false;
            return i;
        }
        if (control[i] == wanted && same_info_hash(key_of(slots[i]), info_hash)) {
            found = true;
            return i;
        }
    }
}

// Moves every occupied slot into a table of `slot_count` slots (a power of two, more than are
// occupied); `hash_of(slot)` places each.
template <class Slot, class HashOf>
void rehash_slots(std::vector<std::uint8_t>& control, std::vector<Slot>& slots, std::size_t slot_count,
                  HashOf hash_of) {
    std::vector<std::uint8_t> new_control(slot_count, 0);
    std::vector<Slot> new_slots(slot_count);
    const std::size_t mask = slot_count - 1;
    for (std::size_t i = 0; i < slots.size(); ++i) {
        if (control[i] == 0)
            continue;
        std::size_t j = hash_of(slots[i]) & mask;
        while (new_control[j] != 0)
            j = (j + 1) & mask;
        new_control[j] = control[i];
        new_slots[j] = std::move(slots[i]);
    }
    control = std::move(new_control);
    slots = std::move(new_slots);
}

}  // namespace shoal::tracker
