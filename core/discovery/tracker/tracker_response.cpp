#include "discovery/tracker/tracker_response.hpp"

#include <array>
#include <string>

#include "bencode/decode.hpp"
#include "util/endpoint.hpp"

namespace shoal::tracker_client {
namespace {

namespace ip = boost::asio::ip;
using boost::asio::ip::tcp;

// Trackers echo free text; keep what reaches a user's screen short and printable.
std::string printable(std::string_view text) {
    constexpr std::size_t k_max_text = 300;
    std::string out;
    for (char c : text.substr(0, k_max_text)) {
        auto u = static_cast<unsigned char>(c);
        out += (u < 0x20 || u == 0x7f) ? '?' : c;
    }
    if (text.size() > k_max_text)
        out += "...";
    return out;
}

Result<const bencode::Value*> top_dict(std::string_view body, const ReplyLimits& limits,
                                       bencode::Value& storage) {
    if (body.size() > limits.max_reply_bytes)
        return make_error(ErrorCode::too_large, "reply of " + std::to_string(body.size()) +
                                                    " bytes exceeds the limit of " +
                                                    std::to_string(limits.max_reply_bytes));
    if (body.empty())
        return make_error(ErrorCode::invalid_input, "empty reply");
    bencode::Limits bl;
    bl.max_depth = 8;
    bl.max_items = 4 * limits.max_peers + 4 * limits.max_scrape_entries + 64;
    auto decoded = bencode::decode(body, bl);
    if (!decoded)
        return make_error(ErrorCode::invalid_input, "malformed reply: " + decoded.error().message);
    storage = std::move(*decoded);
    if (!storage.is_dict())
        return make_error(ErrorCode::invalid_input, "malformed reply: not a dictionary");
    if (const auto* failure = storage.find("failure reason")) {
        if (!failure->is_string())
            return make_error(ErrorCode::invalid_input,
                              "malformed reply: failure reason is no string");
        return make_error(ErrorCode::refused, "failure reason: " + printable(failure->as_string()));
    }
    return &storage;
}

// A non-negative integer field, or an error naming the field.
Result<std::optional<std::int64_t>> count_field(const bencode::Value& dict, std::string_view key) {
    const auto* v = dict.find(key);
    if (!v)
        return std::optional<std::int64_t>{};
    if (!v->is_int() || v->as_int() < 0)
        return make_error(ErrorCode::invalid_input, "malformed reply: \"" + std::string(key) +
                                                        "\" is not a non-negative integer");
    return std::optional<std::int64_t>{v->as_int()};
}

std::uint16_t read_port(const unsigned char* p) {
    return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}

// BEP 23 (6 bytes a peer) and BEP 7 (18 bytes a peer) compact strings.
Result<int> add_compact(std::string_view raw, bool v6, AnnounceResponse& out,
                        std::size_t max_peers) {
    const std::size_t stride = v6 ? 18 : 6;
    const char* what = v6 ? "peers6" : "peers";
    if (raw.size() % stride != 0)
        return make_error(ErrorCode::invalid_input, std::string("malformed reply: \"") + what +
                                                        "\" length " + std::to_string(raw.size()) +
                                                        " is not a multiple of " +
                                                        std::to_string(stride));
    if (out.peers.size() + raw.size() / stride > max_peers)
        return make_error(ErrorCode::too_large,
                          "reply lists more than " + std::to_string(max_peers) + " peers");
    const auto* p = reinterpret_cast<const unsigned char*>(raw.data());
    for (std::size_t i = 0; i < raw.size(); i += stride, p += stride)
        out.peers.emplace_back(*address_from_bytes(raw.substr(i, stride - 2)), read_port(p + stride - 2));
    return 0;
}

// The original BEP 3 form: a list of {"ip", "port", "peer id"} dictionaries. Hostnames
// are skipped: resolving names a tracker hands out would let it aim us at anyone.
Result<int> add_dict_peers(const bencode::List& list, AnnounceResponse& out,
                           std::size_t max_peers) {
    if (out.peers.size() + list.size() > max_peers)
        return make_error(ErrorCode::too_large,
                          "reply lists more than " + std::to_string(max_peers) + " peers");
    for (const auto& entry : list) {
        if (!entry.is_dict())
            return make_error(ErrorCode::invalid_input,
                              "malformed reply: a peer is not a dictionary");
        const auto* ip_v = entry.find_string("ip");
        const auto* port_v = entry.find_int("port");
        if (!ip_v || !port_v)
            return make_error(ErrorCode::invalid_input,
                              "malformed reply: a peer lacks \"ip\" or \"port\"");
        if (port_v->as_int() < 0 || port_v->as_int() > 65535)
            return make_error(ErrorCode::invalid_input,
                              "malformed reply: a peer's port is out of range");
        boost::system::error_code ec;
        auto address = ip::make_address(std::string(ip_v->as_string()), ec);
        if (ec)
            continue;
        out.peers.emplace_back(address, static_cast<std::uint16_t>(port_v->as_int()));
    }
    return 0;
}

}  // namespace

Result<AnnounceResponse> parse_announce_reply(std::string_view body, const ReplyLimits& limits) {
    bencode::Value storage;
    auto top = top_dict(body, limits, storage);
    if (!top)
        return top.error();
    const bencode::Value& dict = **top;

    AnnounceResponse out;
    auto interval = count_field(dict, "interval");
    if (!interval)
        return interval.error();
    // Some trackers leave the interval out; the announcer then uses its default. A reply
    // with neither an interval nor peers is no announce reply at all.
    if (!*interval && !dict.find("peers") && !dict.find("peers6"))
        return make_error(ErrorCode::invalid_input,
                          "malformed reply: neither \"interval\" nor peers");
    out.interval = interval->value_or(0);
    auto min_interval = count_field(dict, "min interval");
    if (!min_interval)
        return min_interval.error();
    out.min_interval = *min_interval;
    auto complete = count_field(dict, "complete");
    if (!complete)
        return complete.error();
    out.seeders = *complete;
    auto incomplete = count_field(dict, "incomplete");
    if (!incomplete)
        return incomplete.error();
    out.leechers = *incomplete;
    auto downloaded = count_field(dict, "downloaded");
    if (!downloaded)
        return downloaded.error();
    out.downloaded = *downloaded;

    if (const auto* w = dict.find_string("warning message"))
        out.warning_message = printable(w->as_string());
    if (const auto* id = dict.find_string("tracker id")) {
        if (id->as_string().size() > 256)
            return make_error(ErrorCode::invalid_input,
                              "malformed reply: \"tracker id\" is too long");
        out.tracker_id = std::string(id->as_string());
    }

    // BEP 24: 4 or 16 bytes; anything else is ignored, as it is only advice.
    if (const auto* ip = dict.find_string("external ip"))
        out.external_ip = address_from_bytes(ip->as_string());

    if (const auto* peers = dict.find("peers")) {
        if (peers->is_string()) {
            auto r = add_compact(peers->as_string(), false, out, limits.max_peers);
            if (!r)
                return r.error();
        } else if (peers->is_list()) {
            auto r = add_dict_peers(peers->as_list(), out, limits.max_peers);
            if (!r)
                return r.error();
        } else {
            return make_error(ErrorCode::invalid_input,
                              "malformed reply: \"peers\" is neither a string nor a list");
        }
    }
    if (const auto* peers6 = dict.find("peers6")) {
        if (!peers6->is_string())
            return make_error(ErrorCode::invalid_input,
                              "malformed reply: \"peers6\" is not a string");
        auto r = add_compact(peers6->as_string(), true, out, limits.max_peers);
        if (!r)
            return r.error();
    }
    return out;
}

Result<ScrapeResponse> parse_scrape_reply(std::string_view body, const ReplyLimits& limits) {
    bencode::Value storage;
    auto top = top_dict(body, limits, storage);
    if (!top)
        return top.error();
    const auto* files = (*top)->find("files");
    if (!files)
        return make_error(ErrorCode::invalid_input, "malformed reply: no \"files\"");
    if (!files->is_dict())
        return make_error(ErrorCode::invalid_input,
                          "malformed reply: \"files\" is not a dictionary");
    if (files->as_dict().size() > limits.max_scrape_entries)
        return make_error(
            ErrorCode::too_large,
            "reply has more than " + std::to_string(limits.max_scrape_entries) + " torrents");
    ScrapeResponse out;
    for (const auto& [key, stats] : files->as_dict()) {
        auto hash = SwarmHash::from_bytes(key);
        if (!hash)
            return make_error(ErrorCode::invalid_input,
                              "malformed reply: a \"files\" key is not a 20-byte info-hash");
        if (!stats.is_dict())
            return make_error(ErrorCode::invalid_input,
                              "malformed reply: a torrent's entry is not a dictionary");
        ScrapeEntry e;
        e.info_hash = *hash;
        auto complete = count_field(stats, "complete");
        if (!complete)
            return complete.error();
        auto incomplete = count_field(stats, "incomplete");
        if (!incomplete)
            return incomplete.error();
        auto downloaded = count_field(stats, "downloaded");
        if (!downloaded)
            return downloaded.error();
        e.seeders = complete->value_or(0);
        e.leechers = incomplete->value_or(0);
        e.downloaded = downloaded->value_or(0);
        out.entries.push_back(e);
    }
    return out;
}

}  // namespace shoal::tracker_client
