#include "bencode/decode.hpp"

#include <algorithm>
#include <limits>
#include <optional>
#include <string>

namespace shoal::bencode {
namespace {

bool has_duplicate_key(const Dict& dict) {
    std::vector<std::string_view> keys;
    keys.reserve(dict.size());
    for (const auto& entry : dict)
        keys.push_back(entry.first);
    std::sort(keys.begin(), keys.end());
    return std::adjacent_find(keys.begin(), keys.end()) != keys.end();
}

class Decoder {
  public:
    Decoder(std::string_view buffer, const Limits& limits, std::size_t first_offset,
            bool allow_trailing = false)
        : buf_(buffer),
          limits_(limits),
          first_offset_(first_offset),
          allow_trailing_(allow_trailing) {}

    Result<Value> run() {
        if (buf_.empty())
            return make_error("empty input: expected a bencoded value");
        Value v;
        if (!parse(v, 0))
            return std::move(*error_);
        if (!allow_trailing_ && pos_ != buf_.size()) {
            return fail_at(pos_, "unexpected trailing data after the bencoded value");
        }
        return v;
    }

  private:
    Error fail_at(std::size_t offset, std::string_view what) {
        return make_error("invalid bencoding at byte " + std::to_string(first_offset_ + offset) +
                          ": " + std::string(what));
    }
    bool fail(std::size_t offset, std::string_view what) {
        if (!error_)
            error_ = fail_at(offset, what);
        return false;
    }

    bool parse(Value& out, int depth) {
        if (pos_ >= buf_.size())
            return fail(pos_, "unexpected end of input");
        if (++items_ > limits_.max_items)
            return fail(pos_, "too many items");
        const std::size_t start = pos_;
        const char c = buf_[pos_];
        if (c == 'i') {
            std::int64_t i = 0;
            if (!parse_int(i))
                return false;
            out = Value(i, buf_.substr(start, pos_ - start));
            return true;
        }
        if (c >= '0' && c <= '9') {
            std::string_view s;
            if (!parse_string(s))
                return false;
            out = Value(s, buf_.substr(start, pos_ - start));
            return true;
        }
        if (c == 'l' || c == 'd') {
            if (depth + 1 > limits_.max_depth)
                return fail(pos_, "nesting depth exceeded");
            ++pos_;
            if (c == 'l') {
                List list;
                while (true) {
                    if (pos_ >= buf_.size())
                        return fail(pos_, "unterminated list");
                    if (buf_[pos_] == 'e')
                        break;
                    list.emplace_back();
                    if (!parse(list.back(), depth + 1))
                        return false;
                }
                ++pos_;
                out = Value(std::move(list), buf_.substr(start, pos_ - start));
                return true;
            }
            Dict dict;
            bool unsorted = false;
            while (true) {
                if (pos_ >= buf_.size())
                    return fail(pos_, "unterminated dictionary");
                if (buf_[pos_] == 'e')
                    break;
                const std::size_t key_at = pos_;
                if (buf_[pos_] < '0' || buf_[pos_] > '9') {
                    return fail(pos_, "dictionary key is not a string");
                }
                std::string_view key;
                if (!parse_string(key))
                    return false;
                if (!dict.empty()) {
                    const std::string_view prev = dict.back().first;
                    if (key == prev)
                        return fail(key_at, "duplicate dictionary key");
                    if (key < prev) {
                        if (limits_.require_sorted_keys) {
                            return fail(key_at, "dictionary keys are not sorted");
                        }
                        unsorted = true;
                    }
                }
                dict.emplace_back(key, Value());
                if (!parse(dict.back().second, depth + 1))
                    return false;
            }
            if (unsorted && has_duplicate_key(dict)) {
                return fail(start, "duplicate dictionary key");
            }
            ++pos_;
            out = Value(std::move(dict), buf_.substr(start, pos_ - start));
            return true;
        }
        return fail(pos_, "unexpected character");
    }

    bool parse_int(std::int64_t& out) {
        const std::size_t start = pos_;
        ++pos_;  // 'i'
        bool negative = false;
        if (pos_ < buf_.size() && buf_[pos_] == '-') {
            negative = true;
            ++pos_;
        }
        const std::size_t digits_at = pos_;
        std::uint64_t magnitude = 0;
        const std::uint64_t max_magnitude =
            negative ? std::uint64_t{1} << 63
                     : static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
        while (pos_ < buf_.size() && buf_[pos_] >= '0' && buf_[pos_] <= '9') {
            const auto digit = static_cast<std::uint64_t>(buf_[pos_] - '0');
            if (magnitude > (max_magnitude - digit) / 10) {
                return fail(start, "integer out of range");
            }
            magnitude = magnitude * 10 + digit;
            ++pos_;
        }
        const std::size_t ndigits = pos_ - digits_at;
        if (ndigits == 0)
            return fail(digits_at, "integer without digits");
        if (pos_ >= buf_.size() || buf_[pos_] != 'e') {
            return fail(pos_, "integer not terminated by 'e'");
        }
        if (buf_[digits_at] == '0' && ndigits > 1)
            return fail(start, "integer with leading zero");
        if (negative && magnitude == 0)
            return fail(start, "negative zero");
        ++pos_;
        out = negative ? static_cast<std::int64_t>(0 - magnitude)
                       : static_cast<std::int64_t>(magnitude);
        return true;
    }

    bool parse_string(std::string_view& out) {
        const std::size_t start = pos_;
        std::size_t length = 0;
        while (pos_ < buf_.size() && buf_[pos_] >= '0' && buf_[pos_] <= '9') {
            if (length > (buf_.size() - pos_) / 10 + 1) {
                return fail(start, "string length exceeds the input");
            }
            length = length * 10 + static_cast<std::size_t>(buf_[pos_] - '0');
            ++pos_;
        }
        if (pos_ >= buf_.size() || buf_[pos_] != ':') {
            return fail(pos_, "string length not followed by ':'");
        }
        if (buf_[start] == '0' && pos_ - start > 1) {
            return fail(start, "string length with leading zero");
        }
        ++pos_;
        if (length > buf_.size() - pos_)
            return fail(start, "string length exceeds the input");
        out = buf_.substr(pos_, length);
        pos_ += length;
        return true;
    }

    std::string_view buf_;
    const Limits& limits_;
    std::size_t first_offset_ = 0;
    bool allow_trailing_ = false;
    std::size_t pos_ = 0;
    std::size_t items_ = 0;
    std::optional<Error> error_;
};

}  // namespace

Result<Value> decode(std::string_view buffer, const Limits& limits, std::size_t first_offset) {
    return Decoder(buffer, limits, first_offset).run();
}

Result<Value> decode_prefix(std::string_view buffer, const Limits& limits) {
    return Decoder(buffer, limits, 0, true).run();
}

}  // namespace shoal::bencode
