#include "web_seed/reply_verdict.hpp"

#include <algorithm>
#include <charconv>
#include <ctime>

#include <boost/beast/http/field.hpp>

namespace shoal::web_seed {

namespace bhttp = boost::beast::http;
using std::chrono::seconds;

namespace {

constexpr seconds k_max_retry_after{24 * 3600};

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

// A plain decimal number without sign, at most 18 digits.
std::optional<std::int64_t> number(std::string_view s) {
    if (s.empty() || s.size() > 18) return std::nullopt;
    std::int64_t n = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec != std::errc{} || end != s.data() + s.size() || n < 0) return std::nullopt;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
    }
    return n;
}

std::string status_text(const ReplyHead& head) {
    std::string text = "HTTP " + std::to_string(head.status);
    std::string_view reason = head.reason;
    if (reason.size() > 64) reason = reason.substr(0, 64);
    bool printable = true;
    for (unsigned char c : reason) printable = printable && c >= 0x20 && c < 0x7f;
    if (!reason.empty() && printable) text += " " + std::string(reason);
    return text;
}

Verdict verdict(Verdict::Kind kind, std::string reason, std::optional<seconds> retry_after = std::nullopt) {
    return Verdict{kind, std::move(reason), retry_after};
}

}  // namespace

ReplyHead read_head(const bhttp::response_header<>& header) {
    ReplyHead head;
    head.status = header.result_int();
    head.reason = std::string(header.reason());
    head.content_range = std::string(trim(header[bhttp::field::content_range]));
    if (auto it = header.find(bhttp::field::content_length); it != header.end()) {
        auto n = number(trim(it->value()));
        if (n) {
            head.content_length = static_cast<std::uint64_t>(*n);
        } else {
            head.content_length_bad = true;
        }
    }
    head.retry_after = std::string(trim(header[bhttp::field::retry_after]));
    head.location = std::string(trim(header[bhttp::field::location]));
    auto encoding = header[bhttp::field::transfer_encoding];
    head.chunked = !encoding.empty();
    return head;
}

std::optional<ContentRange> parse_content_range(std::string_view value) {
    value = trim(value);
    constexpr std::string_view k_unit = "bytes ";
    if (!value.starts_with(k_unit)) return std::nullopt;
    value.remove_prefix(k_unit.size());
    const auto dash = value.find('-');
    const auto slash = value.find('/');
    if (dash == std::string_view::npos || slash == std::string_view::npos || dash > slash) return std::nullopt;
    auto first = number(value.substr(0, dash));
    auto last = number(value.substr(dash + 1, slash - dash - 1));
    if (!first || !last || *last < *first) return std::nullopt;
    ContentRange range{*first, *last, std::nullopt};
    auto complete = value.substr(slash + 1);
    if (complete != "*") {
        auto n = number(complete);
        if (!n || *n <= *last) return std::nullopt;
        range.complete = *n;
    }
    return range;
}

std::optional<seconds> parse_retry_after(std::string_view value, std::chrono::system_clock::time_point now) {
    value = trim(value);
    if (value.empty()) return std::nullopt;
    if (auto n = number(value)) return std::min(seconds{*n}, k_max_retry_after);
    // IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT"; at most 64 bytes.
    if (value.size() > 64) return std::nullopt;
    std::tm tm{};
    const std::string text(value);
    const char* end = strptime(text.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
    if (end == nullptr || *end != '\0') return std::nullopt;
    const std::time_t at = timegm(&tm);
    if (at == static_cast<std::time_t>(-1)) return std::nullopt;
    // In seconds, as time_t: a date far off (the year 23, say) is out of system_clock's range.
    const std::int64_t wait =
        static_cast<std::int64_t>(at) - static_cast<std::int64_t>(std::chrono::system_clock::to_time_t(now));
    return seconds{std::clamp<std::int64_t>(wait, 0, k_max_retry_after.count())};
}

Verdict judge(const ReplyHead& head, ByteRange asked, std::int64_t file_size, std::chrono::system_clock::time_point now) {
    using Kind = Verdict::Kind;
    const unsigned s = head.status;
    if (s == 206 || s == 200) {
        if (head.content_length_bad) return verdict(Kind::back_off, "the reply's Content-Length is not a number");
        if (s == 200) {
            // A server that ignores Range sends the whole file: usable only when that was asked.
            if (asked.first != 0 || asked.length != file_size)
                return verdict(Kind::seed_failed, "the server ignores range requests");
        } else {
            auto range = parse_content_range(head.content_range);
            if (!range) return verdict(Kind::back_off, "a partial reply without a usable Content-Range");
            if (range->first != asked.first || range->last != asked.first + asked.length - 1)
                return verdict(Kind::back_off, "the reply holds other bytes than asked for");
            if (range->complete && *range->complete != file_size)
                return verdict(Kind::file_missing, "the file on the server has another size (" +
                                                       std::to_string(*range->complete) + " bytes)");
        }
        if (head.content_length && *head.content_length != static_cast<std::uint64_t>(asked.length)) {
            if (s == 200) return verdict(Kind::file_missing, "the file on the server has another size");
            return verdict(Kind::back_off, "the reply is longer or shorter than asked for");
        }
        return verdict(Kind::data, {});
    }
    if (s == 301 || s == 302 || s == 303 || s == 307 || s == 308) {
        if (head.location.empty()) return verdict(Kind::back_off, status_text(head) + " without a Location");
        return verdict(Kind::redirect, status_text(head));
    }
    if (s == 404 || s == 410 || s == 416) return verdict(Kind::file_missing, status_text(head));
    if (s == 408 || s == 429 || (s >= 500 && s <= 599))
        return verdict(Kind::back_off, status_text(head), parse_retry_after(head.retry_after, now));
    if (s >= 400 && s <= 499) return verdict(Kind::file_missing, status_text(head));
    return verdict(Kind::back_off, "unexpected " + status_text(head));
}

}  // namespace shoal::web_seed
