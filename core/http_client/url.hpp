#pragma once
// Absolute URLs split into what a client connects with.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace shoal::http_client {

struct UrlParts {
    std::string scheme;  // lowercase
    std::string host;    // without IPv6 brackets, percent-decoded
    std::uint16_t port = 0;
    std::string target;  // path and query, "/" when the URL has neither; no fragment
};

// Splits `url` when its scheme is one of `schemes` (lowercase). http and https have default
// ports; any other scheme must name one. Errors say what is wrong, not which URL.
Result<UrlParts> split_url(std::string_view url, std::span<const std::string_view> schemes);

}  // namespace shoal::http_client
