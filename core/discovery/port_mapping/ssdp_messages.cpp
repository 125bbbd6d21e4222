#include "discovery/port_mapping/ssdp_messages.hpp"

#include <algorithm>
#include <charconv>
#include <optional>
#include <utility>

namespace shoal::port_mapping::ssdp {

namespace {

char lower(char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool equal_ignoring_case(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                              [](char x, char y) { return lower(x) == lower(y); });
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// Visible ASCII: no spaces, no controls, nothing above 0x7e.
bool is_visible(char c) {
    return c > 0x20 && c < 0x7f;
}

// An HTTP token character (RFC 9110 section 5.6.2).
bool is_token(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// A header value may hold visible ASCII, spaces and tabs.
bool is_value_text(std::string_view s) {
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return is_visible(c) || c == ' ' || c == '\t'; });
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return s;
}

Error bad(std::string what) {
    return make_error(ErrorCode::invalid_input, "SSDP answer " + std::move(what));
}

// "HTTP/1.0 200" or "HTTP/1.1 200", then nothing or a space and a reason phrase.
bool is_ok_status_line(std::string_view line) {
    constexpr std::string_view version = "HTTP/1.";
    if (line.size() < 12 || line.substr(0, version.size()) != version ||
        (line[7] != '0' && line[7] != '1') || line.substr(8, 4) != " 200") {
        return false;
    }
    return line.size() == 12 || line[12] == ' ';
}

}  // namespace

std::string encode_search(std::string_view st, int mx_seconds) {
    const int mx = std::clamp(mx_seconds, 1, 5);
    std::string out =
        "M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\n";
    out += "MX: " + std::to_string(mx) + "\r\n";
    out += "ST: ";
    out += st;
    out += "\r\n\r\n";
    return out;
}

Result<HttpUrl> parse_http_url(std::string_view url) {
    const auto refuse = [&](const std::string& why) {
        return make_error(
            ErrorCode::invalid_input,
            "URL " + std::string(url.substr(0, 64)) + (url.size() > 64 ? "..." : "") + ": " + why);
    };
    if (url.size() > k_max_location) {
        return make_error(ErrorCode::invalid_input, "URL of " + std::to_string(url.size()) +
                                                        " characters, more than " +
                                                        std::to_string(k_max_location));
    }
    if (!std::all_of(url.begin(), url.end(), is_visible)) {
        return make_error(ErrorCode::invalid_input, "URL with a space or a control character");
    }
    constexpr std::string_view scheme = "http://";
    if (url.size() < scheme.size() || !equal_ignoring_case(url.substr(0, scheme.size()), scheme)) {
        return refuse("not http://");
    }
    auto rest = url.substr(scheme.size());
    const auto path_at = rest.find('/');
    const auto authority = rest.substr(0, path_at);
    HttpUrl out;
    out.path = path_at == std::string_view::npos ? "/" : std::string(rest.substr(path_at));
    const auto colon = authority.find(':');
    const auto host = authority.substr(0, colon);
    if (host.empty() ||
        !std::all_of(host.begin(), host.end(), [](char c) { return is_digit(c) || c == '.'; })) {
        return refuse("the host is not an IPv4 address");
    }
    boost::system::error_code ec;
    out.host = boost::asio::ip::make_address_v4(std::string(host), ec);
    if (ec) {
        return refuse("the host is not an IPv4 address");
    }
    if (colon != std::string_view::npos) {
        const auto port = authority.substr(colon + 1);
        unsigned value = 0;
        const auto [end, error] = std::from_chars(port.data(), port.data() + port.size(), value);
        if (port.empty() || port.size() > 5 || error != std::errc() ||
            end != port.data() + port.size() || !std::all_of(port.begin(), port.end(), is_digit) ||
            value == 0 || value > 65535) {
            return refuse("bad port");
        }
        out.port = static_cast<std::uint16_t>(value);
    }
    return out;
}

Result<SearchResponse> parse_search_response(std::string_view datagram,
                                             const boost::asio::ip::address_v4& source,
                                             std::span<const std::string_view> targets) {
    if (datagram.empty() || datagram.size() > k_max_response) {
        return bad("of " + std::to_string(datagram.size()) + " bytes");
    }
    std::optional<std::string_view> location;
    std::optional<std::string_view> st;
    bool first = true;
    bool ended = false;  // the empty line after the headers was seen
    std::size_t lines = 0;
    while (!datagram.empty()) {
        const auto newline = datagram.find('\n');
        auto line = datagram.substr(0, newline);
        datagram =
            newline == std::string_view::npos ? std::string_view{} : datagram.substr(newline + 1);
        if (line.size() > k_max_line) {
            return bad("with a line of " + std::to_string(line.size()) + " bytes");
        }
        if (!line.empty() && line.back() == '\r') {
            line.remove_suffix(1);
        }
        if (ended) {  // nothing but empty lines may follow the headers
            if (!line.empty()) {
                return bad("with a body");
            }
            continue;
        }
        if (!is_value_text(line)) {
            return bad("with a control character or a byte above 0x7e");
        }
        if (first) {
            first = false;
            if (!is_ok_status_line(line)) {
                return bad("is not \"HTTP/1.1 200 OK\" but \"" + std::string(line.substr(0, 40)) +
                           "\"");
            }
            continue;
        }
        if (line.empty()) {
            ended = true;
            continue;
        }
        if (++lines > k_max_header_lines) {
            return bad("with more than " + std::to_string(k_max_header_lines) + " header lines");
        }
        const auto colon = line.find(':');
        const auto name = line.substr(0, colon == std::string_view::npos ? 0 : colon);
        if (colon == std::string_view::npos || name.empty() ||
            !std::all_of(name.begin(), name.end(), is_token)) {
            return bad("with a malformed header line");
        }
        const auto value = trim(line.substr(colon + 1));
        auto* slot = equal_ignoring_case(name, "location") ? &location
                     : equal_ignoring_case(name, "st")     ? &st
                                                           : nullptr;
        if (slot) {
            if (*slot) {
                return bad("with two " + std::string(name) + " headers");
            }
            *slot = value;
        }
    }
    if (first) {
        return bad("is empty");
    }
    if (!st) {
        return bad("without an ST header");
    }
    if (std::find(targets.begin(), targets.end(), *st) == targets.end()) {
        return bad("for \"" + std::string(st->substr(0, 80)) + "\", not a search target asked for");
    }
    if (!location) {
        return bad("without a LOCATION header");
    }
    auto url = parse_http_url(*location);
    if (!url) {
        return bad("with LOCATION " + url.error().message);
    }
    if (url->host != source) {
        return bad("from " + source.to_string() + " with LOCATION on another host, " +
                   url->host.to_string());
    }
    return SearchResponse{std::string(*location), std::move(*url), std::string(*st)};
}

bool on_local_network(const boost::asio::ip::address_v4& address, std::span<const Subnet> subnets) {
    return std::any_of(subnets.begin(), subnets.end(), [&](const Subnet& s) {
        const std::uint32_t mask = s.prefix == 0    ? 0
                                   : s.prefix >= 32 ? 0xFFFFFFFFu
                                                    : 0xFFFFFFFFu << (32 - s.prefix);
        return (address.to_uint() & mask) == (s.address.to_uint() & mask);
    });
}

}  // namespace shoal::port_mapping::ssdp
