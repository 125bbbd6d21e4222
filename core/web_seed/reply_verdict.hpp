#pragma once
// What a web seed's reply to one range request means: the bytes, a redirect, a file the seed
// does not have, a reason to wait, or a seed not worth asking again. Pure: the connection
// reads the head, this judges it.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/beast/http/fields.hpp>
#include <boost/beast/http/message.hpp>

namespace shoal::web_seed {

// Bytes [first, first + length) of a file of `file_size` bytes.
struct ByteRange {
    std::int64_t first = 0;
    std::int64_t length = 0;
};

// The parts of a reply's head that matter here.
struct ReplyHead {
    unsigned status = 0;
    std::string reason;
    std::string content_range;
    std::optional<std::uint64_t> content_length;  // absent, or not a number
    bool content_length_bad = false;               // present but not one plain number
    std::string retry_after;
    std::string location;
    bool chunked = false;
};

ReplyHead read_head(const boost::beast::http::response_header<>& header);

struct Verdict {
    enum class Kind {
        data,         // the body is the range asked for
        redirect,     // ask `location` instead
        file_missing, // this file is not on the seed (the others may be)
        back_off,     // try the seed again later (after `retry_after` if given)
        seed_failed,  // the seed answers wrongly: stop asking it
    };
    Kind kind = Kind::data;
    std::string reason;  // for all but data, in words
    std::optional<std::chrono::seconds> retry_after;
};

// `now` is for a Retry-After given as a date.
Verdict judge(const ReplyHead& head, ByteRange asked, std::int64_t file_size,
              std::chrono::system_clock::time_point now);

// Retry-After as delta-seconds or an HTTP date (RFC 9110), from `now`; nullopt when it is
// neither. Capped at one day; a date in the past is zero.
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value,
                                                      std::chrono::system_clock::time_point now);

struct ContentRange {
    std::int64_t first = 0;
    std::int64_t last = 0;                  // inclusive
    std::optional<std::int64_t> complete;  // "*" when the server does not say
};
// "bytes FIRST-LAST/COMPLETE" (RFC 9110 14.4), strictly.
std::optional<ContentRange> parse_content_range(std::string_view value);

}  // namespace shoal::web_seed
