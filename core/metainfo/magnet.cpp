#include "metainfo/magnet.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>
#include <algorithm>
#include <cctype>
#include <charconv>

#include "util/encoding.hpp"

namespace shoal {
namespace {

constexpr std::string_view k_btih = "urn:btih:";
constexpr std::string_view k_btmh = "urn:btmh:";
// multihash prefix: sha2-256 (0x12), 32 bytes (0x20)
constexpr std::string_view k_sha256_multihash = "1220";

// A piece of the link quoted in an error message: decoded values may hold line breaks or
// other control bytes (%0A), and messages are one line; long values are cut.
std::string shown(std::string_view value) {
    constexpr std::size_t k_max_shown = 80;
    static constexpr char k_hex[] = "0123456789abcdef";
    std::string out;
    for (unsigned char c : value.substr(0, k_max_shown)) {
        if (c < 0x20 || c == 0x7f) {
            out += "\\x";
            out += k_hex[c >> 4];
            out += k_hex[c & 15];
        } else {
            out.push_back(static_cast<char>(c));
        }
    }
    if (value.size() > k_max_shown) out += "...";
    return out;
}

bool parse_number(std::string_view s, std::int64_t& out) {
    if (s.empty() || s.size() > 9) return false;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc() && p == s.data() + s.size();
}

Result<bool> parse_select_only(std::string_view value, const MagnetLimits& limits,
                               std::vector<FileIndexRange>& out) {
    while (!value.empty()) {
        const auto comma = value.find(',');
        const std::string_view item = value.substr(0, comma);
        value = comma == std::string_view::npos ? std::string_view{} : value.substr(comma + 1);
        if (out.size() >= limits.max_entries) return make_error("too many 'so' ranges");
        FileIndexRange range;
        const auto dash = item.find('-');
        const bool ok = dash == std::string_view::npos
                            ? parse_number(item, range.first) && (range.last = range.first, true)
                            : parse_number(item.substr(0, dash), range.first) &&
                                  parse_number(item.substr(dash + 1), range.last);
        if (!ok || range.last < range.first) {
            return make_error("invalid 'so' file selection '" + shown(item) + "'");
        }
        out.push_back(range);
    }
    return true;
}

Result<bool> parse_exact_topic(std::string_view xt, MagnetLink& m) {
    if (xt.starts_with(k_btih)) {
        const std::string_view hash = xt.substr(k_btih.size());
        std::optional<InfoHashV1> h;
        if (hash.size() == 40) {
            h = InfoHashV1::from_hex(hash);
        } else if (hash.size() == 32) {
            if (auto raw = from_base32(hash)) {
                h = InfoHashV1::from_bytes({reinterpret_cast<const char*>(raw->data()), raw->size()});
            }
        }
        if (!h) return make_error("invalid btih info-hash (expected 40 hex or 32 base32 digits)");
        m.info_hash_v1 = h;
        return true;
    }
    if (xt.starts_with(k_btmh)) {
        const std::string_view mh = xt.substr(k_btmh.size());
        if (!mh.starts_with(k_sha256_multihash)) {
            return make_error("unsupported btmh multihash (only SHA-256 is defined)");
        }
        auto h = InfoHashV2::from_hex(mh.substr(k_sha256_multihash.size()));
        if (!h) return make_error("invalid btmh info-hash (expected 64 hex digits)");
        m.info_hash_v2 = h;
        return true;
    }
    // Other URN namespaces (ed2k, sha1, ...) name other networks; skip them.
    return true;
}

bool valid_peer(std::string_view peer) {
    const auto colon = peer.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return false;
    std::int64_t port = 0;
    return parse_number(peer.substr(colon + 1), port) && port > 0 && port < 65536;
}

std::string percent_encode(std::string_view s) {
    static constexpr char k_hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == ':' ||
            c == '/') {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(k_hex[c >> 4]);
            out.push_back(k_hex[c & 15]);
        }
    }
    return out;
}

}  // namespace

Result<MagnetLink> parse_magnet(std::string_view uri, const MagnetLimits& limits) {
    if (uri.size() > limits.max_length) return make_error("the magnet link is too long");
    // The fragment means nothing in a magnet link, and Boost.URL 1.81 reads out of bounds
    // when iterating an empty query followed by one ("magnet:?#", boostorg/url#864), so it
    // is cut here. '#' cannot occur earlier in a valid URI.
    auto parsed = boost::urls::parse_uri(uri.substr(0, uri.find('#')));
    if (!parsed || parsed->scheme() != "magnet") {
        return make_error("not a magnet link (expected 'magnet:?xt=urn:btih:...')");
    }
    MagnetLink m;
    auto add = [&](std::vector<std::string>& list, std::string value, const char* what)
        -> Result<bool> {
        if (list.size() >= limits.max_entries) {
            return make_error(std::string("too many '") + what + "' entries in the magnet link");
        }
        if (!value.empty() && std::find(list.begin(), list.end(), value) == list.end()) {
            list.push_back(std::move(value));
        }
        return true;
    };
    for (const auto& param : parsed->params()) {
        const std::string key = param.key;
        std::string value = param.has_value ? std::string(param.value) : std::string();
        Result<bool> r = true;
        if (key == "xt") {
            r = parse_exact_topic(value, m);
        } else if (key == "dn") {
            m.display_name = std::move(value);
        } else if (key == "tr" || key.starts_with("tr.")) {
            // A URL too long to be a torrent's tracker is left out, as a .torrent file's is.
            if (value.size() <= k_max_tracker_url_bytes) r = add(m.trackers, std::move(value), "tr");
        } else if (key == "ws") {
            r = add(m.web_seeds, std::move(value), "ws");
        } else if (key == "x.pe") {
            if (!valid_peer(value)) return make_error("invalid 'x.pe' peer '" + shown(value) + "'");
            r = add(m.peers, std::move(value), "x.pe");
        } else if (key == "so") {
            r = parse_select_only(value, limits, m.select_only);
        }
        if (!r) return r.error();
    }
    if (!m.info_hash_v1 && !m.info_hash_v2) {
        return make_error("the magnet link has no BitTorrent info-hash (xt=urn:btih or urn:btmh)");
    }
    return m;
}

std::string to_uri(const MagnetLink& m) {
    std::string out = "magnet:?";
    auto param = [&](std::string_view key, std::string_view value) {
        if (out.size() > 8) out += '&';
        out += key;
        out += '=';
        out += value;
    };
    if (m.info_hash_v1) param("xt", std::string(k_btih) + m.info_hash_v1->hex());
    if (m.info_hash_v2) {
        param("xt", std::string(k_btmh) + std::string(k_sha256_multihash) + m.info_hash_v2->hex());
    }
    if (!m.display_name.empty()) param("dn", percent_encode(m.display_name));
    for (const auto& tr : m.trackers) param("tr", percent_encode(tr));
    for (const auto& ws : m.web_seeds) param("ws", percent_encode(ws));
    for (const auto& pe : m.peers) param("x.pe", percent_encode(pe));
    if (!m.select_only.empty()) {
        std::string so;
        for (const auto& r : m.select_only) {
            if (!so.empty()) so += ',';
            so += std::to_string(r.first);
            if (r.last != r.first) so += '-' + std::to_string(r.last);
        }
        param("so", so);
    }
    return out;
}

MagnetLink magnet_for(const TorrentInfo& t) {
    MagnetLink m;
    m.info_hash_v1 = t.info_hash_v1;
    m.info_hash_v2 = t.info_hash_v2;
    m.display_name = t.name;
    for (const auto& tier : t.trackers) {
        for (const auto& url : tier) m.trackers.push_back(url);
    }
    m.web_seeds = t.web_seeds;
    return m;
}

}  // namespace shoal
