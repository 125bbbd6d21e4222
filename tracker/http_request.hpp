#pragma once
// The head of one HTTP/1.0 or 1.1 request (RFC 9112), read straight from the connection's
// buffer: the request line and the few header fields a tracker needs. Lines may end in CRLF
// or a bare LF; empty lines before the request line are skipped. Header fields are checked
// for form (a token, a colon, a value without control characters) and otherwise ignored.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace shoal::tracker {

struct HttpRequestHead {
    std::string_view method;
    std::string_view target;
    bool http11 = true;  // else HTTP/1.0
    bool keep_alive = true;
    std::string_view x_real_ip;        // the first such field, if any
    std::string_view x_forwarded_for;  // the first such field, if any
    std::uint64_t content_length = 0;
    std::size_t size = 0;  // bytes of the head, its empty line included
};

enum class HeadStatus { complete, incomplete, malformed };

struct HeadResult {
    HeadStatus status = HeadStatus::incomplete;
    std::string_view error;  // for malformed: what was wrong, for the 400 reply
};

// Parses the head at the start of `buffer`; views in `out` point into `buffer`.
HeadResult parse_request_head(std::string_view buffer, HttpRequestHead& out);

}  // namespace shoal::tracker
