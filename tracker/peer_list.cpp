#include "tracker/peer_list.hpp"

#include <algorithm>
#include <initializer_list>

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

namespace {

void append_peer(std::vector<PeerInfo>& out, const std::uint8_t* record, Family family,
                 std::uint16_t port) {
    PeerInfo& p = out.emplace_back();
    p.endpoint.address.family = family;
    std::memcpy(p.endpoint.address.bytes.data(), record, address_bytes(family));
    p.endpoint.port = port;
}

// Writes compact peers into room made for them beforehand: the vector is grown once per scan,
// not once per peer.
struct CompactWriter {
    std::uint8_t* next;
};

void append_peer(CompactWriter& out, const std::uint8_t* record, Family family,
                 std::uint16_t port) {
    const std::size_t address = address_bytes(family);
    std::memcpy(out.next, record, address);
    out.next[address] = static_cast<std::uint8_t>(port >> 8);
    out.next[address + 1] = static_cast<std::uint8_t>(port);
    out.next += address + 2;
}

template <class Out>
PeerRunPair::Scan take_into(const PeerRunPair& pair, const PeerKey& self, std::uint32_t want,
                            std::uint32_t not_before, std::uint64_t random, std::size_t from,
                            Out& out) {
    PeerRunPair::Scan scan{0, from};
    const std::size_t n = pair.size();
    if (n == 0)
        return scan;
    std::size_t at = static_cast<std::size_t>(random % n) + scan.next;
    if (at >= n)
        at -= n;
    for (; scan.next < n && scan.taken < want; ++scan.next) {
        const std::size_t i = at;
        if (++at == n)
            at = 0;
        const bool in_first = i < pair.first.count;
        const PeerRun& run = in_first ? pair.first : pair.second;
        const std::uint8_t* record = run.at(in_first ? i : i - pair.first.count);
        if (record_last_seen(record, run.family) < not_before)
            continue;
        const PeerKey key = PeerKey::of_record(record, run.family);
        if (key.port == self.port && key == self)
            continue;
        append_peer(out, record, run.family, key.port);
        ++scan.taken;
    }
    return scan;
}

}  // namespace

PeerRunPair::Scan PeerRunPair::take(const PeerKey& self, std::uint32_t want,
                                    std::uint32_t not_before, std::uint64_t random,
                                    std::size_t from, std::vector<PeerInfo>& out) const {
    return take_into(*this, self, want, not_before, random, from, out);
}

PeerRunPair::Scan PeerRunPair::take(const PeerKey& self, std::uint32_t want,
                                    std::uint32_t not_before, std::uint64_t random,
                                    std::size_t from, std::vector<std::uint8_t>& compact) const {
    std::size_t entry = 0;  // the largest compact peer either run can give
    for (const PeerRun* run : {&first, &second}) {
        if (run->count > 0)
            entry = std::max(entry, address_bytes(run->family) + 2);
    }
    const std::size_t at = compact.size();
    compact.resize(at + std::min<std::size_t>(want, size()) * entry);
    CompactWriter writer{compact.data() + at};
    const Scan scan = take_into(*this, self, want, not_before, random, from, writer);
    compact.resize(static_cast<std::size_t>(writer.next - compact.data()));
    return scan;
}

}  // namespace shoal::tracker
