#include "wire/ut_pex.hpp"

#include <algorithm>
#include <array>

#include "bencode/decode.hpp"
#include "bencode/node.hpp"

namespace shoal::wire {
namespace {

namespace ip = boost::asio::ip;

constexpr std::size_t k_v4_size = 6;
constexpr std::size_t k_v6_size = 18;
// A ut_pex dictionary is flat; only the six known fields matter.
constexpr bencode::Limits k_dict_limits{.max_depth = 4, .max_items = 256};

PeerEndpoint normalised(const PeerEndpoint& e) {
    const auto a = e.address();
    if (a.is_v6() && a.to_v6().is_v4_mapped()) {
        return {ip::make_address_v4(ip::v4_mapped, a.to_v6()), e.port()};
    }
    return e;
}

std::uint16_t read_port(const char* p) {
    return static_cast<std::uint16_t>((static_cast<std::uint8_t>(p[0]) << 8) |
                                      static_cast<std::uint8_t>(p[1]));
}

PeerEndpoint read_compact(const char* p, bool v6) {
    if (!v6) {
        ip::address_v4::bytes_type b;
        std::copy(p, p + 4, b.begin());
        return normalised({ip::address_v4(b), read_port(p + 4)});
    }
    ip::address_v6::bytes_type b;
    std::copy(p, p + 16, b.begin());
    return normalised({ip::address_v6(b), read_port(p + 16)});
}

void append_compact(std::string& out, const PeerEndpoint& e) {
    if (e.address().is_v4()) {
        const auto b = e.address().to_v4().to_bytes();
        out.append(reinterpret_cast<const char*>(b.data()), b.size());
    } else {
        const auto b = e.address().to_v6().to_bytes();
        out.append(reinterpret_cast<const char*>(b.data()), b.size());
    }
    out.push_back(static_cast<char>(e.port() >> 8));
    out.push_back(static_cast<char>(e.port() & 0xff));
}

// A compact field, or an empty view when absent; an error when present but malformed.
Result<std::string_view> field(const bencode::Value& dict, std::string_view key,
                               std::size_t entry_size, const PexLimits& limits) {
    const auto* v = dict.find(key);
    if (!v)
        return std::string_view{};
    if (!v->is_string())
        return make_error("ut_pex: " + std::string(key) + " is not a string");
    const auto s = v->as_string();
    if (s.size() > limits.max_field_bytes) {
        return make_error("ut_pex: " + std::string(key) + " is too long");
    }
    if (entry_size && s.size() % entry_size != 0) {
        return make_error("ut_pex: " + std::string(key) + " length " + std::to_string(s.size()) +
                          " is not a multiple of " + std::to_string(entry_size));
    }
    return s;
}

}  // namespace

Result<PexMessage> decode_pex(std::string_view payload, const PexLimits& limits) {
    auto dict = bencode::decode(payload, k_dict_limits);
    if (!dict)
        return make_error("ut_pex: " + dict.error().message);
    if (!dict->is_dict())
        return make_error("ut_pex: message is not a dictionary");

    struct Family {
        const char* added;
        const char* flags;
        const char* dropped;
        std::size_t size;
    };
    constexpr std::array<Family, 2> families{Family{"added", "added.f", "dropped", k_v4_size},
                                             Family{"added6", "added6.f", "dropped6", k_v6_size}};
    std::set<PeerEndpoint> added_seen;
    std::set<PeerEndpoint> dropped_seen;
    // IPv4-mapped entries of added6/dropped6 come back as IPv4, and encode_pex writes them into
    // the IPv4 fields: they join the IPv4 list so that the result is in the order the encoder
    // writes it (IPv4, then IPv6), and survives a round trip unchanged.
    std::vector<PexPeer> added_v4, added_v6;
    std::vector<PeerEndpoint> dropped_v4, dropped_v6;
    for (const auto& f : families) {
        auto a = field(*dict, f.added, f.size, limits);
        if (!a)
            return a.error();
        auto flags = field(*dict, f.flags, 0, limits);
        if (!flags)
            return flags.error();
        auto d = field(*dict, f.dropped, f.size, limits);
        if (!d)
            return d.error();
        const std::size_t count = a->size() / f.size;
        if (!flags->empty() && flags->size() != count) {
            return make_error("ut_pex: " + std::string(f.flags) + " has " +
                              std::to_string(flags->size()) + " bytes for " +
                              std::to_string(count) + " peers");
        }
        for (std::size_t i = 0; i < count; ++i) {
            const auto e = read_compact(a->data() + i * f.size, f.size == k_v6_size);
            if (e.port() == 0 || !added_seen.insert(e).second)
                continue;
            const auto fl =
                flags->empty() ? std::uint8_t{0} : static_cast<std::uint8_t>((*flags)[i]);
            (e.address().is_v4() ? added_v4 : added_v6).push_back({e, fl});
        }
        for (std::size_t i = 0; i < d->size() / f.size; ++i) {
            const auto e = read_compact(d->data() + i * f.size, f.size == k_v6_size);
            if (e.port() == 0 || !dropped_seen.insert(e).second)
                continue;
            (e.address().is_v4() ? dropped_v4 : dropped_v6).push_back(e);
        }
    }
    std::vector<PexPeer> added = std::move(added_v4);
    added.insert(added.end(), added_v6.begin(), added_v6.end());
    std::vector<PeerEndpoint> dropped = std::move(dropped_v4);
    dropped.insert(dropped.end(), dropped_v6.begin(), dropped_v6.end());

    // A contact both added and dropped says nothing we can rely on.
    PexMessage m;
    for (auto& p : added) {
        if (m.added.size() == limits.max_added)
            break;
        if (!dropped_seen.count(p.endpoint))
            m.added.push_back(p);
    }
    for (auto& e : dropped) {
        if (m.dropped.size() == limits.max_dropped)
            break;
        if (!added_seen.count(e))
            m.dropped.push_back(e);
    }
    return m;
}

std::string encode_pex(const PexMessage& message) {
    std::string added, added_f, added6, added6_f, dropped, dropped6;
    for (const auto& p : message.added) {
        const auto e = normalised(p.endpoint);
        const bool v4 = e.address().is_v4();
        append_compact(v4 ? added : added6, e);
        (v4 ? added_f : added6_f).push_back(static_cast<char>(p.flags));
    }
    for (const auto& d : message.dropped) {
        const auto e = normalised(d);
        append_compact(e.address().is_v4() ? dropped : dropped6, e);
    }
    bencode::Node::Dict dict;
    dict["added"] = std::move(added);
    dict["added.f"] = std::move(added_f);
    dict["added6"] = std::move(added6);
    dict["added6.f"] = std::move(added6_f);
    dict["dropped"] = std::move(dropped);
    dict["dropped6"] = std::move(dropped6);
    return bencode::encode(bencode::Node(std::move(dict)));
}

PexTracker::PexTracker(PeerEndpoint recipient, std::size_t max_per_message)
    : recipient_(normalised(recipient)), max_per_message_(max_per_message) {}

std::optional<PexMessage> PexTracker::update(const std::vector<PexPeer>& connected,
                                             Clock::time_point now) {
    if (last_sent_ && now - *last_sent_ < k_min_interval)
        return std::nullopt;

    std::vector<PexPeer> current;
    current.reserve(connected.size());
    for (const auto& p : connected) {
        const auto e = normalised(p.endpoint);
        if (e.port() == 0 || e == recipient_)
            continue;
        current.push_back({e, p.flags});
    }
    std::sort(current.begin(), current.end());
    std::set<PeerEndpoint> now_set;
    PexMessage m;
    for (const auto& p : current) {
        if (!now_set.insert(p.endpoint).second)
            continue;
        if (!advertised_.count(p.endpoint) && m.added.size() < max_per_message_) {
            m.added.push_back(p);
        }
    }
    for (const auto& e : advertised_) {
        if (!now_set.count(e) && m.dropped.size() < max_per_message_)
            m.dropped.push_back(e);
    }
    if (m.added.empty() && m.dropped.empty())
        return std::nullopt;

    for (const auto& p : m.added)
        advertised_.insert(p.endpoint);
    for (const auto& e : m.dropped)
        advertised_.erase(e);
    last_sent_ = now;
    return m;
}

}  // namespace shoal::wire
