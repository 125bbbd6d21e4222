#pragma once
// Packed peer records and the sorted runs that hold them. A record is the peer's address,
// port and last-seen second as plain bytes with no padding: 10 bytes for an IPv4 peer, 22
// for an IPv6 peer. Peer ids are not kept: a reply's peers carry a zero id.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

#include "tracker/types.hpp"

namespace shoal::tracker {

constexpr std::size_t address_bytes(Family family) {
    return family == Family::v4 ? 4 : 16;
}
// Address, then port (2 bytes) and last seen (4).
constexpr std::size_t record_bytes(Family family) {
    return address_bytes(family) + 2 + 4;
}
constexpr std::size_t last_seen_offset(Family family) {
    return address_bytes(family) + 2;
}

// A peer's identity within a swarm: address and port, comparable without calls into memcmp.
// Records of one run share a family, so the family itself is not part of the order.
struct PeerKey {
    std::uint64_t high = 0;  // IPv6 only: the first 8 address bytes
    std::uint64_t low = 0;   // IPv4: the address; IPv6: the last 8 bytes
    std::uint16_t port = 0;
    Family family = Family::v4;

    static PeerKey of(const PeerEndpoint& endpoint);
    // The key of the record at `record`, which belongs to a run of `family`.
    static PeerKey of_record(const std::uint8_t* record, Family family);

    bool operator==(const PeerKey&) const = default;
    bool before(const PeerKey& o) const {
        if (high != o.high)
            return high < o.high;
        if (low != o.low)
            return low < o.low;
        return port < o.port;
    }
};

// Writes the record for `key` seen at `now`; `out` has record_bytes(key.family) bytes.
void write_record(std::uint8_t* out, const PeerKey& key, std::uint32_t now);

inline std::uint32_t record_last_seen(const std::uint8_t* record, Family family) {
    std::uint32_t seen;
    std::memcpy(&seen, record + last_seen_offset(family), 4);
    return seen;
}

inline void set_record_last_seen(std::uint8_t* record, Family family, std::uint32_t now) {
    std::memcpy(record + last_seen_offset(family), &now, 4);
}

// A read-only view of one sorted run: `count` records of one family.
struct PeerRun {
    const std::uint8_t* records = nullptr;
    std::uint32_t count = 0;
    Family family = Family::v4;

    const std::uint8_t* at(std::size_t i) const { return records + i * record_bytes(family); }
    // Where `key` is, or where it would go to keep the run sorted; `found` says which.
    std::size_t lower_bound(const PeerKey& key, bool& found) const;
    // Starts loading the cache lines lower_bound reads first (all of a short run), so that
    // its misses overlap instead of following one another.
    void prefetch_search() const;
};

// The seeders (or the leechers) of one swarm, as their IPv4 run followed by their IPv6 run;
// a run whose family a reply may not carry is simply left out.
struct PeerRunPair {
    PeerRun first;
    PeerRun second;

    std::size_t size() const { return std::size_t{first.count} + second.count; }

    struct Scan {
        std::uint32_t taken = 0;
        std::size_t next = 0;  // how far the scan got, to resume without repeats
    };
    // Appends up to `want` peers last seen at or after `not_before`, other than `self`,
    // scanning positions `from`.. of the pair rotated by `random`.
    Scan take(const PeerKey& self, std::uint32_t want, std::uint32_t not_before,
              std::uint64_t random, std::size_t from, std::vector<PeerInfo>& out) const;
    // The same, appending each peer compact: its address then its port in network order.
    Scan take(const PeerKey& self, std::uint32_t want, std::uint32_t not_before,
              std::uint64_t random, std::size_t from, std::vector<std::uint8_t>& compact) const;
    // Starts loading the records a take(…, want, …, random, 0, …) reads first.
    void prefetch_take(std::uint32_t want, std::uint64_t random) const;
};

// Starts loading the cache lines of bytes [begin, end) (a hint; nothing is read).
inline void prefetch_bytes(const std::uint8_t* begin, const std::uint8_t* end) {
    constexpr std::uintptr_t line = 64;
    const auto first = reinterpret_cast<std::uintptr_t>(begin) & ~(line - 1);
    for (std::uintptr_t a = first; a < reinterpret_cast<std::uintptr_t>(end); a += line)
        __builtin_prefetch(reinterpret_cast<const void*>(a));
}

}  // namespace shoal::tracker
