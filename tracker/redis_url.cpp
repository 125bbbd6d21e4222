#include "tracker/redis_url.hpp"

#include <algorithm>
#include <charconv>

#include "tracker/http_query.hpp"

namespace shoal::tracker {
namespace {

constexpr std::uint32_t k_max_database = 1u << 16;

bool parse_number(std::string_view text, std::uint32_t max, std::uint32_t& out) {
    if (text.empty() || text.size() > 10)
        return false;
    std::uint64_t v = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || end != text.data() + text.size() || v > max)
        return false;
    out = static_cast<std::uint32_t>(v);
    return true;
}

}  // namespace

std::string RedisUrl::redacted(std::string_view original) const {
    if (password.empty())
        return std::string(original);
    // The credentials end at the authority's last '@', as parse_redis_url reads them.
    const auto scheme_end = original.find("://");
    if (scheme_end == std::string_view::npos)
        return std::string(original);
    const auto start = scheme_end + 3;
    const auto authority = original.substr(start, original.find('/', start) - start);
    const auto at = authority.rfind('@');
    if (at == std::string_view::npos)
        return std::string(original);
    std::string out(original.substr(0, start));
    out += authority.substr(0, std::min(at, authority.find(':')));
    out += ":***";
    out += original.substr(start + at);
    return out;
}

Result<RedisUrl> parse_redis_url(std::string_view text) {
    if (text.size() > 4096)
        return make_error("store.url is longer than 4096 bytes");
    RedisUrl url;
    std::string_view rest;
    if (text.starts_with("redis://")) {
        rest = text.substr(8);
    } else if (text.starts_with("rediss://")) {
        url.kind = RedisUrl::Kind::tls;
        rest = text.substr(9);
    } else if (text.starts_with("unix://")) {
        url.kind = RedisUrl::Kind::unix_socket;
        rest = text.substr(7);
        const auto q = rest.find('?');
        url.path = std::string(rest.substr(0, q));
        if (url.path.empty() || url.path.front() != '/')
            return make_error("store.url: a unix socket needs an absolute path (unix:///PATH)");
        if (url.path.size() > 107)
            return make_error("store.url: the unix socket path is longer than 107 bytes");
        if (q != std::string_view::npos) {
            const auto query = rest.substr(q + 1);
            if (!query.starts_with("db=") ||
                !parse_number(query.substr(3), k_max_database, url.database)) {
                return make_error("store.url: after '?' only db=NUMBER is understood");
            }
        }
        return url;
    } else {
        return make_error("store.url must start with redis://, rediss:// or unix://");
    }
    // Authority, then an optional "/DB".
    const auto slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    if (slash != std::string_view::npos) {
        const auto db = rest.substr(slash + 1);
        if (!db.empty() && !parse_number(db, k_max_database, url.database))
            return make_error("store.url: the database after '/' must be a number");
    }
    const auto at = authority.rfind('@');
    if (at != std::string_view::npos) {
        const auto credentials = authority.substr(0, at);
        authority = authority.substr(at + 1);
        const auto colon = credentials.find(':');
        if (colon == std::string_view::npos) {
            if (!percent_decode(credentials, url.password, false))
                return make_error("store.url: bad %-escape in the password");
        } else if (!percent_decode(credentials.substr(0, colon), url.username, false) ||
                   !percent_decode(credentials.substr(colon + 1), url.password, false)) {
            return make_error("store.url: bad %-escape in the user or password");
        }
    }
    std::string_view host = authority;
    std::string_view port;
    if (host.starts_with('[')) {
        const auto close = host.find(']');
        if (close == std::string_view::npos)
            return make_error("store.url: '[' without ']' around an IPv6 address");
        port = host.substr(close + 1);
        host = host.substr(1, close - 1);
        if (!port.empty() && port.front() != ':')
            return make_error("store.url: unexpected text after ']'");
        if (!port.empty())
            port.remove_prefix(1);
    } else if (const auto colon = host.rfind(':'); colon != std::string_view::npos) {
        port = host.substr(colon + 1);
        host = host.substr(0, colon);
    }
    if (host.empty())
        return make_error("store.url: no host");
    if (!port.empty()) {
        std::uint32_t p = 0;
        if (!parse_number(port, 65535, p) || p == 0)
            return make_error("store.url: the port must be a number from 1 to 65535");
        url.port = static_cast<std::uint16_t>(p);
    }
    url.host = std::string(host);
    return url;
}

}  // namespace shoal::tracker
