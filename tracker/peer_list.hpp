#pragma once
// The seeders (or the leechers) of one torrent, sorted by endpoint. The hot part of each peer
// (address, port, family, last seen: 24 bytes) lives apart from its 20-byte peer id, so
// searches and scans touch only the cache lines they need.

#include <cstdint>
#include <vector>

#include "tracker/types.hpp"

namespace shoal::tracker {

struct PeerRecord {
    std::array<std::uint8_t, 16> address{};  // IPv4 in the first 4 bytes, the rest zero
    std::uint16_t port = 0;
    std::uint8_t family = 4;
    std::uint8_t reserved = 0;
    std::uint32_t last_seen = 0;

    static PeerRecord make(const PeerEndpoint& endpoint, std::uint32_t now);
};
static_assert(sizeof(PeerRecord) == 24);

class PeerList {
  public:
    static constexpr std::size_t npos = static_cast<std::size_t>(-1);

    std::size_t size() const { return records_.size(); }
    bool empty() const { return records_.empty(); }

    // Index of the peer with `key`'s endpoint, or npos.
    std::size_t find(const PeerRecord& key) const;
    void insert(const PeerRecord& record, const PeerId& id);
    void update(std::size_t index, const PeerRecord& record, const PeerId& id);
    void erase(std::size_t index);
    // Drops peers last seen before `not_before`; returns how many.
    std::size_t expire(std::uint32_t not_before);

    struct Scan {
        std::uint32_t taken = 0;
        std::size_t next = 0;  // how far the scan got, to resume without repeats
    };
    // Appends up to `want` live peers of an allowed family other than `self`, scanning
    // positions `from`.. of the list rotated by `random`.
    Scan take(const PeerRecord& self, std::uint32_t want, FamilyMask families,
              std::uint32_t not_before, std::uint64_t random, std::size_t from, bool with_peer_ids,
              std::vector<PeerInfo>& out) const;

  private:
    std::vector<PeerRecord> records_;
    std::vector<PeerId> ids_;  // ids_[i] belongs to records_[i]
};

}  // namespace shoal::tracker
