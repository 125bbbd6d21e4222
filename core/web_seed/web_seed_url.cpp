#include "web_seed/web_seed_url.hpp"

#include <algorithm>
#include <array>

#include "http_client/url.hpp"

namespace shoal::web_seed {

namespace {

constexpr std::size_t k_max_url_bytes = 4096;
constexpr std::array<std::string_view, 2> k_schemes = {"http", "https"};

bool unreserved(unsigned char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
           c == '_' || c == '~';
}

}  // namespace

Result<Done> check_seed_url(std::string_view url) {
    if (url.size() > k_max_url_bytes)
        return make_error(ErrorCode::invalid_input, "web seed URL is longer than 4096 bytes");
    if (url.find('#') != std::string_view::npos)
        return make_error(ErrorCode::invalid_input, "web seed URL has a fragment");
    for (unsigned char c : url) {
        if (c <= 0x20 || c == 0x7f)
            return make_error(ErrorCode::invalid_input, "web seed URL has a space or a control character");
    }
    auto parts = http_client::split_url(url, k_schemes);
    if (!parts) return make_error(ErrorCode::invalid_input, "web seed URL: " + parts.error().message);
    if (parts->target.find('?') != std::string::npos && url.ends_with('/'))
        return make_error(ErrorCode::invalid_input, "web seed URL names a folder but has a query");
    return Done{};
}

Result<Done> check_new_seed(const std::vector<std::string>& seeds, std::string_view url) {
    if (auto checked = check_seed_url(url); !checked) return checked.error();
    if (std::find(seeds.begin(), seeds.end(), url) != seeds.end())
        return make_error(ErrorCode::already_exists, "the torrent has this web seed already");
    if (seeds.size() >= k_max_web_seeds)
        return make_error(ErrorCode::too_large, "a torrent has at most " + std::to_string(k_max_web_seeds) + " web seeds");
    return Done{};
}

std::string percent_encode_segment(std::string_view segment) {
    static constexpr char k_hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(segment.size());
    for (unsigned char c : segment) {
        if (unreserved(c)) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += k_hex[c >> 4];
            out += k_hex[c & 15];
        }
    }
    return out;
}

std::string file_url(std::string_view seed, const TorrentInfo& info, std::size_t file) {
    if (!info.multi_file && !seed.ends_with('/')) return std::string(seed);
    std::string url(seed);
    if (!url.ends_with('/')) url += '/';
    if (!info.multi_file) return url + percent_encode_segment(info.name);
    // A multi-file torrent's paths start with its name.
    const auto& path = info.files.at(file).path;
    for (std::size_t i = 0; i < path.size(); ++i) {
        if (i > 0) url += '/';
        url += percent_encode_segment(path[i]);
    }
    return url;
}

}  // namespace shoal::web_seed
