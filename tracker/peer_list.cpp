#include "tracker/peer_list.hpp"

#include <algorithm>
#include <cstring>

namespace shoal::tracker {
namespace {

// The sort key is (address, port, family). Any total order works, so the address is compared
// as two native-endian words: inline, no call into memcmp on the hot path.
struct Key {
    std::uint64_t hi, lo;
    std::uint32_t rest;  // port and family
    static Key of(const PeerRecord& r) {
        Key k;
        std::memcpy(&k.hi, r.address.data(), 8);
        std::memcpy(&k.lo, r.address.data() + 8, 8);
        k.rest = (std::uint32_t{r.port} << 8) | r.family;
        return k;
    }
    bool operator==(const Key&) const = default;
    bool operator<(const Key& o) const {
        if (hi != o.hi)
            return hi < o.hi;
        if (lo != o.lo)
            return lo < o.lo;
        return rest < o.rest;
    }
};

bool key_less(const PeerRecord& a, const PeerRecord& b) {
    return Key::of(a) < Key::of(b);
}

template <class T>
void shrink_if_sparse(std::vector<T>& v) {
    if (v.capacity() > 16 && v.size() < v.capacity() / 4)
        v.shrink_to_fit();
}

}  // namespace

PeerRecord PeerRecord::make(const PeerEndpoint& endpoint, std::uint32_t now) {
    PeerRecord r;
    r.address = endpoint.address.bytes;
    if (endpoint.address.family == Family::v4)
        std::fill(r.address.begin() + 4, r.address.end(), 0);
    r.port = endpoint.port;
    r.family = static_cast<std::uint8_t>(endpoint.address.family);
    r.last_seen = now;
    return r;
}

std::size_t PeerList::find(const PeerRecord& key) const {
    auto it = std::lower_bound(records_.begin(), records_.end(), key, key_less);
    if (it == records_.end() || !(Key::of(*it) == Key::of(key)))
        return npos;
    return static_cast<std::size_t>(it - records_.begin());
}

void PeerList::insert(const PeerRecord& record, const PeerId& id) {
    auto it = std::upper_bound(records_.begin(), records_.end(), record, key_less);
    const auto index = it - records_.begin();
    records_.insert(it, record);
    ids_.insert(ids_.begin() + index, id);
}

void PeerList::update(std::size_t index, const PeerRecord& record, const PeerId& id) {
    records_[index] = record;
    ids_[index] = id;
}

void PeerList::erase(std::size_t index) {
    const auto offset = static_cast<std::ptrdiff_t>(index);
    records_.erase(records_.begin() + offset);
    ids_.erase(ids_.begin() + offset);
}

std::size_t PeerList::expire(std::uint32_t not_before) {
    std::size_t kept = 0;
    for (std::size_t i = 0; i < records_.size(); ++i) {
        if (records_[i].last_seen < not_before)
            continue;
        if (kept != i) {
            records_[kept] = records_[i];
            ids_[kept] = ids_[i];
        }
        ++kept;
    }
    const std::size_t removed = records_.size() - kept;
    records_.resize(kept);
    ids_.resize(kept);
    shrink_if_sparse(records_);
    shrink_if_sparse(ids_);
    return removed;
}

PeerList::Scan PeerList::take(const PeerRecord& self, std::uint32_t want, FamilyMask families,
                              std::uint32_t not_before, std::uint64_t random, std::size_t from,
                              bool with_peer_ids, std::vector<PeerInfo>& out) const {
    Scan scan{0, from};
    const std::size_t n = records_.size();
    if (n == 0)
        return scan;
    const Key me = Key::of(self);
    std::size_t at = static_cast<std::size_t>(random % n) + scan.next;
    if (at >= n)
        at -= n;
    for (; scan.next < n && scan.taken < want; ++scan.next) {
        const std::size_t i = at;
        if (++at == n)
            at = 0;
        const PeerRecord& r = records_[i];
        if (r.last_seen < not_before)
            continue;
        if (!families.allows(static_cast<Family>(r.family)))
            continue;
        if (r.port == self.port && Key::of(r) == me)
            continue;
        PeerInfo& p = out.emplace_back();
        p.endpoint.address.bytes = r.address;
        p.endpoint.address.family = static_cast<Family>(r.family);
        p.endpoint.port = r.port;
        if (with_peer_ids)
            p.peer_id = ids_[i];
        ++scan.taken;
    }
    return scan;
}

}  // namespace shoal::tracker
