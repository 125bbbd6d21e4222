#include "http_client/url.hpp"

#include <algorithm>
#include <charconv>

#include <boost/url/parse.hpp>

namespace shoal::http_client {

Result<UrlParts> split_url(std::string_view url, std::span<const std::string_view> schemes) {
    auto parsed = boost::urls::parse_uri(url);
    if (!parsed)
        return make_error(ErrorCode::invalid_input, "not a valid URL");
    UrlParts out;
    out.scheme = parsed->scheme();
    std::transform(out.scheme.begin(), out.scheme.end(), out.scheme.begin(), [](unsigned char c) {
        return static_cast<char>(c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c);
    });
    if (std::find(schemes.begin(), schemes.end(), out.scheme) == schemes.end())
        return make_error(ErrorCode::invalid_input,
                          "unsupported scheme \"" + out.scheme + "\"");
    std::uint16_t default_port = 0;
    if (out.scheme == "http")
        default_port = 80;
    else if (out.scheme == "https")
        default_port = 443;
    out.host = parsed->host_address();
    if (out.host.empty())
        return make_error(ErrorCode::invalid_input, "URL has no host");
    if (parsed->has_port()) {
        // port_number() wraps values above 65535, so read the digits ourselves.
        const auto text = parsed->port();
        unsigned value = 0;
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
        if (ec != std::errc() || end != text.data() + text.size() || value == 0 || value > 65535)
            return make_error(ErrorCode::invalid_input, "URL has an invalid port");
        out.port = static_cast<std::uint16_t>(value);
    } else if (default_port == 0) {
        return make_error(ErrorCode::invalid_input, "URL has no port");
    } else {
        out.port = default_port;
    }
    out.target = std::string(parsed->encoded_path());
    if (out.target.empty())
        out.target = "/";
    if (parsed->has_query()) {
        out.target += '?';
        out.target += parsed->encoded_query();
    }
    return out;
}

}  // namespace shoal::http_client
