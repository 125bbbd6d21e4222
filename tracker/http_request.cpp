#include "tracker/http_request.hpp"

#include <array>

#include "util/text.hpp"

namespace shoal::tracker {
namespace {

// RFC 9110 tchar.
constexpr std::array<bool, 256> make_token_table() {
    std::array<bool, 256> t{};
    for (int c = '0'; c <= '9'; ++c)
        t[c] = true;
    for (int c = 'a'; c <= 'z'; ++c)
        t[c] = true;
    for (int c = 'A'; c <= 'Z'; ++c)
        t[c] = true;
    for (char c : std::string_view("!#$%&'*+-.^_`|~"))
        t[static_cast<unsigned char>(c)] = true;
    return t;
}
constexpr auto k_token = make_token_table();

bool is_token(std::string_view s) {
    if (s.empty())
        return false;
    for (char c : s) {
        if (!k_token[static_cast<unsigned char>(c)])
            return false;
    }
    return true;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z')
            x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = static_cast<char>(y - 'A' + 'a');
        if (x != y)
            return false;
    }
    return true;
}

// Applies a Connection field's options ("close", "keep-alive", others ignored).
void apply_connection(std::string_view value, HttpRequestHead& out) {
    while (!value.empty()) {
        const auto comma = value.find(',');
        const std::string_view option = trim_blanks(value.substr(0, comma));
        if (equals_ignoring_case(option, "close"))
            out.keep_alive = false;
        else if (equals_ignoring_case(option, "keep-alive") && !out.http11)
            out.keep_alive = true;
        if (comma == std::string_view::npos)
            break;
        value.remove_prefix(comma + 1);
    }
}

bool parse_length(std::string_view s, std::uint64_t& out) {
    if (s.empty() || s.size() > 18)
        return false;
    std::uint64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    out = v;
    return true;
}

HeadResult malformed(std::string_view why) {
    return {HeadStatus::malformed, why};
}

}  // namespace

HeadResult parse_request_head(std::string_view buffer, HttpRequestHead& out) {
    out = HttpRequestHead{};
    std::size_t pos = 0;
    // The next line without its terminator; false when the buffer ends first.
    auto next_line = [&](std::string_view& line) {
        const auto lf = buffer.find('\n', pos);
        if (lf == std::string_view::npos)
            return false;
        line = buffer.substr(pos, lf - pos);
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        pos = lf + 1;
        return true;
    };

    std::string_view line;
    do {
        if (!next_line(line))
            return {};
    } while (line.empty() && pos <= 8);  // a few stray line ends before the request
    if (line.empty())
        return malformed("empty lines instead of a request");

    // METHOD SP TARGET SP HTTP/1.x
    const auto sp1 = line.find(' ');
    const auto sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos)
        return malformed("bad request line");
    out.method = line.substr(0, sp1);
    out.target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    const std::string_view version = line.substr(sp2 + 1);
    if (!is_token(out.method))
        return malformed("bad method");
    if (out.target.empty())
        return malformed("empty target");
    for (char c : out.target) {
        const auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u == 0x7F)
            return malformed("bad character in the target");
    }
    if (version == "HTTP/1.1")
        out.http11 = true;
    else if (version == "HTTP/1.0")
        out.http11 = false;
    else
        return malformed("bad HTTP version");
    out.keep_alive = out.http11;

    bool have_length = false;
    for (;;) {
        if (!next_line(line))
            return {};
        if (line.empty())
            break;
        if (line.front() == ' ' || line.front() == '\t')
            return malformed("folded header line");
        const auto colon = line.find(':');
        if (colon == std::string_view::npos || !is_token(line.substr(0, colon)))
            return malformed("bad header line");
        const std::string_view name = line.substr(0, colon);
        const std::string_view value = trim_blanks(line.substr(colon + 1));
        for (char c : value) {
            const auto u = static_cast<unsigned char>(c);
            if ((u < 0x20 && c != '\t') || u == 0x7F)
                return malformed("bad character in a header value");
        }
        switch (name.size()) {
            case 10:
                if (equals_ignoring_case(name, "Connection"))
                    apply_connection(value, out);
                break;
            case 9:
                if (equals_ignoring_case(name, "X-Real-IP") && out.x_real_ip.empty())
                    out.x_real_ip = value;
                break;
            case 15:
                if (equals_ignoring_case(name, "X-Forwarded-For") && out.x_forwarded_for.empty())
                    out.x_forwarded_for = value;
                break;
            case 14:
                if (equals_ignoring_case(name, "Content-Length")) {
                    std::uint64_t n = 0;
                    if (!parse_length(value, n) || (have_length && n != out.content_length))
                        return malformed("bad Content-Length");
                    out.content_length = n;
                    have_length = true;
                }
                break;
            case 17:
                if (equals_ignoring_case(name, "Transfer-Encoding"))
                    return malformed("request bodies need a Content-Length");
                break;
            default:
                break;
        }
    }
    out.size = pos;
    return {HeadStatus::complete, {}};
}

}  // namespace shoal::tracker
