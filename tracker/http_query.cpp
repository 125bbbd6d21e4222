#include "tracker/http_query.hpp"

#include <algorithm>
#include <limits>

namespace shoal::tracker {
namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// Calls `f(key, value)` for every `key=value` pair, raw (still escaped).
template <class F>
void for_each_pair(std::string_view query, F&& f) {
    while (!query.empty()) {
        const auto amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (pair.empty())
            continue;
        const auto eq = pair.find('=');
        if (eq == std::string_view::npos) {
            f(pair, std::string_view{});
        } else {
            f(pair.substr(0, eq), pair.substr(eq + 1));
        }
    }
}

// Unsigned decimal, saturating at the maximum; nullopt on anything but digits.
std::optional<std::uint64_t> parse_unsigned(std::string_view text) {
    if (text.empty() || text.size() > 64)
        return std::nullopt;
    std::uint64_t v = 0;
    constexpr auto max = std::numeric_limits<std::uint64_t>::max();
    for (char c : text) {
        if (c < '0' || c > '9')
            return std::nullopt;
        const auto d = static_cast<std::uint64_t>(c - '0');
        v = (v > (max - d) / 10) ? max : v * 10 + d;
    }
    return v;
}

}  // namespace

bool percent_decode(std::string_view in, std::string& out, bool plus_is_space) {
    out.clear();
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        const char c = in[i];
        if (c == '%') {
            if (in.size() - i < 3)
                return false;
            const int hi = hex_value(in[i + 1]);
            const int lo = hex_value(in[i + 2]);
            if (hi < 0 || lo < 0)
                return false;
            out.push_back(static_cast<char>(hi * 16 + lo));
            i += 2;
        } else if (c == '+' && plus_is_space) {
            out.push_back(' ');
        } else {
            out.push_back(c);
        }
    }
    return true;
}

Result<HttpAnnounceQuery> parse_announce_query(std::string_view query) {
    HttpAnnounceQuery q;
    bool have_hash = false, have_id = false, have_port = false;
    std::string error;
    std::string value;
    for_each_pair(query, [&](std::string_view key, std::string_view raw) {
        if (!error.empty())
            return;
        if (!percent_decode(raw, value)) {
            error = "malformed percent-encoding in " + std::string(key.substr(0, 32));
            return;
        }
        if (key == "info_hash") {
            if (have_hash)
                return;
            auto h = InfoHash::from_bytes(value);
            if (!h) {
                error = "info_hash must be 20 bytes, got " + std::to_string(value.size());
                return;
            }
            q.info_hash = *h;
            have_hash = true;
        } else if (key == "peer_id") {
            if (have_id)
                return;
            if (value.size() != 20) {
                error = "peer_id must be 20 bytes, got " + std::to_string(value.size());
                return;
            }
            std::copy(value.begin(), value.end(), reinterpret_cast<char*>(q.peer_id.bytes.data()));
            have_id = true;
        } else if (key == "port") {
            if (have_port)
                return;
            auto p = parse_unsigned(value);
            if (!p || *p == 0 || *p > 65535) {
                error = "invalid port";
                return;
            }
            q.port = static_cast<std::uint16_t>(*p);
            have_port = true;
        } else if (key == "uploaded" || key == "downloaded" || key == "left") {
            auto v = parse_unsigned(value);
            if (!v) {
                error = "invalid " + std::string(key);
                return;
            }
            if (key == "uploaded")
                q.uploaded = *v;
            else if (key == "downloaded")
                q.downloaded = *v;
            else
                q.left = *v;
        } else if (key == "event") {
            if (value == "started")
                q.event = AnnounceEvent::started;
            else if (value == "completed")
                q.event = AnnounceEvent::completed;
            else if (value == "stopped")
                q.event = AnnounceEvent::stopped;
            else
                q.event = AnnounceEvent::none;  // "", "empty", "paused" and unknown values
        } else if (key == "compact") {
            q.compact = value != "0";
        } else if (key == "no_peer_id") {
            q.no_peer_id = value == "1";
        } else if (key == "numwant") {
            if (!value.empty() && value[0] == '-')
                return;  // negative means "the default"
            auto v = parse_unsigned(value);
            if (!v) {
                error = "invalid numwant";
                return;
            }
            q.numwant = static_cast<std::uint32_t>(
                std::min<std::uint64_t>(*v, std::numeric_limits<std::uint32_t>::max()));
        } else if (key == "ip") {
            q.ip = value.substr(0, 64);
        }
    });
    if (!error.empty())
        return make_error(error);
    if (!have_hash)
        return make_error("missing info_hash");
    if (!have_id)
        return make_error("missing peer_id");
    if (!have_port)
        return make_error("missing port");
    return q;
}

Result<std::vector<InfoHash>> parse_scrape_query(std::string_view query, std::size_t max_hashes) {
    std::vector<InfoHash> hashes;
    std::string error;
    std::string value;
    for_each_pair(query, [&](std::string_view key, std::string_view raw) {
        if (!error.empty() || key != "info_hash")
            return;
        if (!percent_decode(raw, value)) {
            error = "malformed percent-encoding in info_hash";
            return;
        }
        auto h = InfoHash::from_bytes(value);
        if (!h) {
            error = "info_hash must be 20 bytes, got " + std::to_string(value.size());
            return;
        }
        if (hashes.size() >= max_hashes) {
            error = "too many info_hash values (at most " + std::to_string(max_hashes) + ")";
            return;
        }
        if (std::find(hashes.begin(), hashes.end(), *h) == hashes.end())
            hashes.push_back(*h);
    });
    if (!error.empty())
        return make_error(error);
    return hashes;
}

}  // namespace shoal::tracker
