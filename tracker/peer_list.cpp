#include "tracker/peer_list.hpp"

namespace shoal::tracker {
namespace {

template <class T>
T load(const std::uint8_t* p) {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

template <class T>
void store(std::uint8_t* p, T v) {
    std::memcpy(p, &v, sizeof v);
}

// Binary search over records of one family; the family is a template argument so the key
// loads inline to a couple of moves.
template <Family F>
std::size_t lower_bound_in(const std::uint8_t* records, std::uint32_t count, const PeerKey& key,
                           bool& found) {
    constexpr std::size_t size = record_bytes(F);
    std::size_t lo = 0;
    std::size_t hi = count;
    while (lo < hi) {
        const std::size_t mid = lo + (hi - lo) / 2;
        if (PeerKey::of_record(records + mid * size, F).before(key))
            lo = mid + 1;
        else
            hi = mid;
    }
    found = lo < count && PeerKey::of_record(records + lo * size, F) == key;
    return lo;
}

}  // namespace

PeerKey PeerKey::of(const PeerEndpoint& endpoint) {
    PeerKey k;
    k.family = endpoint.address.family;
    k.port = endpoint.port;
    const std::uint8_t* a = endpoint.address.bytes.data();
    if (k.family == Family::v4) {
        k.low = load<std::uint32_t>(a);
    } else {
        k.high = load<std::uint64_t>(a);
        k.low = load<std::uint64_t>(a + 8);
    }
    return k;
}

PeerKey PeerKey::of_record(const std::uint8_t* record, Family family) {
    PeerKey k;
    k.family = family;
    if (family == Family::v4) {
        k.low = load<std::uint32_t>(record);
        k.port = load<std::uint16_t>(record + 4);
    } else {
        k.high = load<std::uint64_t>(record);
        k.low = load<std::uint64_t>(record + 8);
        k.port = load<std::uint16_t>(record + 16);
    }
    return k;
}

void write_record(std::uint8_t* out, const PeerKey& key, std::uint32_t now) {
    if (key.family == Family::v4) {
        store(out, static_cast<std::uint32_t>(key.low));
    } else {
        store(out, key.high);
        store(out + 8, key.low);
    }
    store(out + address_bytes(key.family), key.port);
    set_record_last_seen(out, key.family, now);
}

std::size_t PeerRun::lower_bound(const PeerKey& key, bool& found) const {
    if (family == Family::v4)
        return lower_bound_in<Family::v4>(records, count, key, found);
    return lower_bound_in<Family::v6>(records, count, key, found);
}

void PeerRun::prefetch_search() const {
    const std::size_t size = record_bytes(family);
    const std::uint8_t* end = records + std::size_t{count} * size;
    // The first four levels of the search fall on the records at count * k / 16.
    constexpr std::size_t k_points = 16;
    if (std::size_t{count} * size <= k_points * 64) {
        prefetch_bytes(records, end);
        return;
    }
    for (std::size_t k = 1; k < k_points; ++k)
        __builtin_prefetch(at(count * k / k_points));
}

void PeerRunPair::prefetch_take(std::uint32_t want, std::uint64_t random) const {
    const std::size_t n = size();
    if (n == 0 || want == 0)
        return;
    // Records run in a rotation from random % n, through the first run then the second.
    const std::size_t start = static_cast<std::size_t>(random % n);
    const std::size_t stop = start + std::min<std::size_t>(want, n);  // may pass n: wraps
    const auto span = [&](std::size_t from, std::size_t to) {  // positions [from, to) < n
        const std::size_t split = first.count;
        if (from < split)
            prefetch_bytes(first.at(from), first.at(std::min(to, split)));
        if (to > split)
            prefetch_bytes(second.at(std::max(from, split) - split), second.at(to - split));
    };
    span(start, std::min(stop, n));
    if (stop > n)
        span(0, stop - n);
}

PeerRunPair::Scan PeerRunPair::take(const PeerKey& self, std::uint32_t want,
                                    std::uint32_t not_before, std::uint64_t random,
                                    std::size_t from, std::vector<PeerInfo>& out) const {
    Scan scan{0, from};
    const std::size_t n = size();
    if (n == 0)
        return scan;
    std::size_t at = static_cast<std::size_t>(random % n) + scan.next;
    if (at >= n)
        at -= n;
    for (; scan.next < n && scan.taken < want; ++scan.next) {
        const std::size_t i = at;
        if (++at == n)
            at = 0;
        const PeerRun& run = i < first.count ? first : second;
        const std::uint8_t* record = run.at(i < first.count ? i : i - first.count);
        if (record_last_seen(record, run.family) < not_before)
            continue;
        const PeerKey key = PeerKey::of_record(record, run.family);
        if (key.port == self.port && key == self)
            continue;
        PeerInfo& p = out.emplace_back();
        p.endpoint.address.family = run.family;
        std::memcpy(p.endpoint.address.bytes.data(), record, address_bytes(run.family));
        p.endpoint.port = key.port;
        ++scan.taken;
    }
    return scan;
}

}  // namespace shoal::tracker
