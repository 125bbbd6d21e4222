#include "discovery/lsd/lsd_message.hpp"

#include <algorithm>
#include <charconv>

#include "util/text.hpp"

namespace shoal::lsd {
namespace {

constexpr std::string_view k_request_line = "BT-SEARCH * HTTP/1.1";
constexpr std::string_view k_crlf = "\r\n";

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; };
               return lower(x) == lower(y);
           });
}

bool printable(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

std::string header_block(const Announce& a) {
    return std::string(k_request_line) + "\r\nHost: " + a.host +
           "\r\nPort: " + std::to_string(a.port) + "\r\n";
}

std::string trailer(const Announce& a) {
    std::string out;
    if (!a.cookie.empty())
        out += "cookie: " + a.cookie + "\r\n";
    out += "\r\n\r\n";
    return out;
}

std::string infohash_line(const SwarmHash& h) {
    return "Infohash: " + h.hex() + "\r\n";
}

}  // namespace

std::string host_header(std::string_view group, std::uint16_t port) {
    const bool v6 = group.find(':') != std::string_view::npos;
    return (v6 ? "[" + std::string(group) + "]" : std::string(group)) + ":" + std::to_string(port);
}

std::string encode_announce(const Announce& announce) {
    std::string out = header_block(announce);
    for (const auto& h : announce.info_hashes)
        out += infohash_line(h);
    return out + trailer(announce);
}

std::vector<std::string> encode_announces(const Announce& announce, std::size_t max_size) {
    const std::string head = header_block(announce);
    const std::string tail = trailer(announce);
    std::vector<std::string> out;
    std::string current;
    for (const auto& h : announce.info_hashes) {
        const std::string line = infohash_line(h);
        if (!current.empty() &&
            head.size() + current.size() + line.size() + tail.size() > max_size) {
            out.push_back(head + current + tail);
            current.clear();
        }
        current += line;
    }
    if (!current.empty())
        out.push_back(head + current + tail);
    return out;
}

Result<Announce> parse_announce(std::string_view datagram, const ParseLimits& limits) {
    if (datagram.size() > limits.max_size)
        return make_error("LSD announce too large");
    Announce a;
    bool have_host = false;
    bool have_port = false;
    std::size_t headers = 0;
    std::size_t pos = 0;
    bool first = true;
    while (true) {
        const auto end = datagram.find(k_crlf, pos);
        if (end == std::string_view::npos)
            return make_error("LSD announce: unterminated line");
        const std::string_view line = datagram.substr(pos, end - pos);
        pos = end + k_crlf.size();
        if (first) {
            if (line != k_request_line)
                return make_error("LSD announce: not a BT-SEARCH request");
            first = false;
            continue;
        }
        if (line.empty())
            break;
        if (++headers > limits.max_headers)
            return make_error("LSD announce: too many headers");
        if (!printable(line))
            return make_error("LSD announce: control character in a header");
        const auto colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0) {
            return make_error("LSD announce: malformed header line");
        }
        const std::string_view name = line.substr(0, colon);
        const std::string_view value = trim_blanks(line.substr(colon + 1));
        if (iequals(name, "host")) {
            if (have_host)
                return make_error("LSD announce: repeated Host header");
            if (value.empty())
                return make_error("LSD announce: empty Host header");
            a.host = std::string(value);
            have_host = true;
        } else if (iequals(name, "port")) {
            if (have_port)
                return make_error("LSD announce: repeated Port header");
            unsigned port = 0;
            const auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), port);
            if (ec != std::errc{} || p != value.data() + value.size() || value.size() > 5 ||
                port == 0 || port > 65535) {
                return make_error("LSD announce: invalid Port");
            }
            a.port = static_cast<std::uint16_t>(port);
            have_port = true;
        } else if (iequals(name, "infohash")) {
            auto h = SwarmHash::from_hex(value);
            if (!h)
                return make_error("LSD announce: Infohash is not 40 hex digits");
            if (std::find(a.info_hashes.begin(), a.info_hashes.end(), *h) != a.info_hashes.end()) {
                continue;
            }
            if (a.info_hashes.size() == limits.max_info_hashes) {
                return make_error("LSD announce: too many info-hashes");
            }
            a.info_hashes.push_back(*h);
        } else if (iequals(name, "cookie")) {
            if (!a.cookie.empty())
                return make_error("LSD announce: repeated cookie header");
            if (value.size() > limits.max_cookie)
                return make_error("LSD announce: cookie too long");
            a.cookie = std::string(value);
        }
    }
    // Only empty lines may follow the headers (BEP 14 shows one more).
    while (pos < datagram.size()) {
        if (datagram.substr(pos, k_crlf.size()) != k_crlf) {
            return make_error("LSD announce: data after the headers");
        }
        pos += k_crlf.size();
    }
    if (!have_host)
        return make_error("LSD announce: missing Host header");
    if (!have_port)
        return make_error("LSD announce: missing Port header");
    if (a.info_hashes.empty())
        return make_error("LSD announce: no Infohash header");
    return a;
}

}  // namespace shoal::lsd
