// Fuzzes what the web seed client reads of a server's reply: the head as Beast parses it,
// then the verdict on it for a range the input's first bytes choose, and the Content-Range
// and Retry-After readers on their own. A verdict's reason must be one printable line; data
// is accepted only for exactly the range asked.

#include <boost/beast/core/error.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "web_seed/reply_verdict.hpp"

namespace {

using namespace shoal::web_seed;

void check_line(const std::string& text) {
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) __builtin_trap();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 4) return 0;
    const ByteRange asked{data[0] * 1000, 1 + data[1] * 100};
    const std::int64_t file_size = asked.first + asked.length + data[2] * 10;
    const std::string_view text(reinterpret_cast<const char*>(data + 3), size - 3);
    const auto now = std::chrono::system_clock::from_time_t(1'700'000'000);

    if (auto range = parse_content_range(text)) {
        if (range->first < 0 || range->last < range->first) __builtin_trap();
        if (range->complete && *range->complete <= range->last) __builtin_trap();
    }
    if (auto wait = parse_retry_after(text, now)) {
        if (wait->count() < 0 || *wait > std::chrono::hours(24)) __builtin_trap();
    }

    boost::beast::http::response_parser<boost::beast::http::empty_body> parser;
    parser.header_limit(16 * 1024);
    parser.eager(false);
    boost::beast::error_code ec;
    parser.put(boost::asio::buffer(text.data(), text.size()), ec);
    if (ec || !parser.is_header_done()) return 0;
    const ReplyHead head = read_head(parser.get().base());
    const Verdict verdict = judge(head, asked, file_size, now);
    check_line(verdict.reason);
    if (verdict.kind == Verdict::Kind::data) {
        if (head.status == 206) {
            auto range = parse_content_range(head.content_range);
            if (!range || range->first != asked.first || range->last != asked.first + asked.length - 1)
                __builtin_trap();
        } else if (head.status != 200 || asked.first != 0 || asked.length != file_size) {
            __builtin_trap();
        }
    }
    return 0;
}
