#include "discovery/tracker/tracker_url.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

#include <boost/url/parse.hpp>

#include "http_client/url.hpp"

namespace shoal::tracker_client {
namespace {

// Checks the scheme and returns the URL without its fragment.
Result<std::string> base_url(std::string_view url) {
    auto parsed = boost::urls::parse_uri(url);
    if (!parsed)
        return make_error(ErrorCode::invalid_input,
                          "tracker " + std::string(url) + ": not a valid URL");
    auto scheme = parsed->scheme_id();
    if (scheme != boost::urls::scheme::http && scheme != boost::urls::scheme::https)
        return make_error(ErrorCode::invalid_input,
                          "tracker " + std::string(url) + ": not an http or https URL");
    if (parsed->encoded_host().empty())
        return make_error(ErrorCode::invalid_input,
                          "tracker " + std::string(url) + ": URL has no host");
    std::string out(url);
    if (auto hash = out.find('#'); hash != std::string::npos)
        out.resize(hash);
    return out;
}

void add_param(std::string& url, std::string_view key, std::string_view value) {
    if (url.find('?') == std::string::npos)
        url += '?';
    else if (url.back() != '?' && url.back() != '&')
        url += '&';
    url += key;
    url += '=';
    url += value;
}

}  // namespace

Result<TrackerUrlParts> split_tracker_url(std::string_view url) {
    static constexpr std::array<std::string_view, 3> k_schemes = {"http", "https", "udp"};
    auto parts = http_client::split_url(url, k_schemes);
    if (!parts)
        return make_error(parts.error().code, "tracker " + std::string(url) + ": " + parts.error().message);
    return TrackerUrlParts{std::move(parts->scheme), std::move(parts->host), parts->port,
                           std::move(parts->target)};
}

std::string percent_encode(std::string_view bytes) {
    static constexpr char k_hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(bytes.size() * 3);
    for (char c : bytes) {
        auto u = static_cast<unsigned char>(c);
        bool unreserved = (u >= 'A' && u <= 'Z') || (u >= 'a' && u <= 'z') ||
                          (u >= '0' && u <= '9') || u == '-' || u == '.' || u == '_' || u == '~';
        if (unreserved) {
            out += c;
        } else {
            out += '%';
            out += k_hex[u >> 4];
            out += k_hex[u & 15];
        }
    }
    return out;
}

Result<std::string> make_announce_url(std::string_view announce_url,
                                      const AnnounceRequest& request) {
    auto url = base_url(announce_url);
    if (!url)
        return url;
    std::string& out = *url;
    add_param(out, "info_hash", percent_encode(request.info_hash.view()));
    add_param(out, "peer_id", percent_encode(request.peer_id.view()));
    add_param(out, "port", std::to_string(request.port));
    add_param(out, "uploaded", std::to_string(std::max<std::int64_t>(request.uploaded, 0)));
    add_param(out, "downloaded", std::to_string(std::max<std::int64_t>(request.downloaded, 0)));
    add_param(out, "left", std::to_string(std::max<std::int64_t>(request.left, 0)));
    add_param(out, "compact", "1");
    if (request.event != TrackerEvent::none)
        add_param(out, "event", event_name(request.event));
    if (request.numwant >= 0)
        add_param(out, "numwant", std::to_string(request.numwant));
    char key[9];
    std::snprintf(key, sizeof key, "%08X", request.key);
    add_param(out, "key", key);
    if (!request.tracker_id.empty())
        add_param(out, "trackerid", percent_encode(request.tracker_id));
    if (request.ipv6)
        add_param(out, "ipv6", percent_encode(request.ipv6->to_string()));
    return out;
}

Result<std::string> make_scrape_url(std::string_view announce_url,
                                    std::span<const SwarmHash> hashes) {
    auto url = base_url(announce_url);
    if (!url)
        return url;
    std::string& out = *url;
    // Only the path may hold "announce": not the host, not the query.
    const auto query_at = std::min(out.find('?'), out.size());
    const auto path_at = std::min(out.find('/', out.find("://") + 3), query_at);
    const auto slash = out.rfind('/', query_at == 0 ? 0 : query_at - 1);
    constexpr std::string_view k_announce = "announce";
    const bool has_segment = slash != std::string::npos && slash >= path_at && path_at < query_at;
    if (!has_segment || std::string_view(out)
                                .substr(slash + 1, query_at - slash - 1)
                                .substr(0, k_announce.size()) != k_announce)
        return make_error(ErrorCode::invalid_input,
                          "tracker " + std::string(announce_url) +
                              ": has no scrape address (no \"announce\" in its path)");
    out.replace(slash + 1, k_announce.size(), "scrape");
    for (const auto& h : hashes)
        add_param(out, "info_hash", percent_encode(h.view()));
    return out;
}

}  // namespace shoal::tracker_client
