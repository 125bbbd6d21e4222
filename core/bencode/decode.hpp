#pragma once
// Strict bencode decoder with explicit limits; errors name the byte offset.

#include <cstddef>
#include <string_view>

#include "bencode/value.hpp"
#include "util/result.hpp"

namespace shoal::bencode {

struct Limits {
    int max_depth = 100;
    std::size_t max_items = 2'000'000;
    // Require dictionary keys in strictly ascending byte order (sorted and unique). Needed
    // for dictionaries whose hash must be reproducible; duplicates are refused either way.
    bool require_sorted_keys = false;
};

// Decodes exactly one value spanning the whole buffer. The result views `buffer`.
// Errors name byte offsets counted from `first_offset`, so a value re-decoded from inside a
// larger file (a torrent's info dictionary) reports positions in that file.
Result<Value> decode(std::string_view buffer, const Limits& limits = {},
                     std::size_t first_offset = 0);

// Decodes one value at the start of `buffer` and allows bytes after it (BEP 9 appends raw
// data to a dictionary); those bytes are buffer.substr(value.raw().size()).
Result<Value> decode_prefix(std::string_view buffer, const Limits& limits = {});

}  // namespace shoal::bencode
