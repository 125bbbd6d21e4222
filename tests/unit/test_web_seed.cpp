// Web seeds' pure parts: where each file is on a seed, which files a stretch of the torrent
// lies in, and what a reply to a range request means.
#include <gtest/gtest.h>

#include "web_seed/file_spans.hpp"
#include "web_seed/reply_verdict.hpp"
#include "web_seed/web_seed_url.hpp"

using namespace shoal;
using namespace shoal::web_seed;
using Kind = Verdict::Kind;

namespace {

FileEntry file(std::vector<std::string> path, std::int64_t size, std::int64_t offset, bool pad = false) {
    FileEntry f;
    f.path = std::move(path);
    f.size = size;
    f.offset = offset;
    f.pad = pad;
    return f;
}

TorrentInfo multi_file() {
    TorrentInfo info;
    info.name = "My Album";
    info.multi_file = true;
    info.piece_length = 16;
    info.files = {file({"My Album", "01 – intro.ogg"}, 10, 0), file({"My Album", ".pad", "6"}, 6, 10, true),
                  file({"My Album", "empty"}, 0, 16), file({"My Album", "cd 2", "a&b?.txt"}, 20, 16)};
    info.total_size = 36;
    info.num_pieces = 3;
    return info;
}

TorrentInfo single_file() {
    TorrentInfo info;
    info.name = "disk image.iso";
    info.piece_length = 16;
    info.files = {file({"disk image.iso"}, 40, 0)};
    info.total_size = 40;
    info.num_pieces = 3;
    return info;
}

ReplyHead head(unsigned status, std::string content_range = {}, std::optional<std::uint64_t> length = {}) {
    ReplyHead h;
    h.status = status;
    h.content_range = std::move(content_range);
    h.content_length = length;
    return h;
}

const auto now = std::chrono::system_clock::from_time_t(1'700'000'000);

}  // namespace

TEST(WebSeedUrl, AFolderGetsTheNameAndPathPercentEncodedPerSegment) {
    const auto info = multi_file();
    EXPECT_EQ(file_url("http://example.org/pub/", info, 0), "http://example.org/pub/My%20Album/01%20%E2%80%93%20intro.ogg");
    EXPECT_EQ(file_url("http://example.org/pub/", info, 3), "http://example.org/pub/My%20Album/cd%202/a%26b%3F.txt");
    EXPECT_EQ(file_url("http://example.org/pub", info, 3), "http://example.org/pub/My%20Album/cd%202/a%26b%3F.txt")
        << "a multi-file torrent's seed is a folder, slash or not";
}

TEST(WebSeedUrl, ASingleFileSeedIsTheFileUnlessItEndsInASlash) {
    const auto info = single_file();
    EXPECT_EQ(file_url("https://mirror.example/isos/", info, 0), "https://mirror.example/isos/disk%20image.iso");
    EXPECT_EQ(file_url("https://mirror.example/get?id=7", info, 0), "https://mirror.example/get?id=7");
}

TEST(WebSeedUrl, OnlyHttpUrlsWithoutFragmentsOrControlsAreSeeds) {
    EXPECT_TRUE(check_seed_url("http://example.org/a/"));
    EXPECT_TRUE(check_seed_url("https://[2001:db8::1]:8443/x"));
    EXPECT_FALSE(check_seed_url("ftp://example.org/a/"));
    EXPECT_FALSE(check_seed_url("http://example.org/a#b"));
    EXPECT_FALSE(check_seed_url("http://example.org/a b"));
    EXPECT_FALSE(check_seed_url("http://example.org/a\r\nHost: evil"));
    EXPECT_FALSE(check_seed_url("http://example.org/" + std::string(5000, 'a')));
    EXPECT_FALSE(check_seed_url("not a url"));
}

TEST(WebSeedFileSpans, AStretchIsCutAtFileEdgesSkippingEmptyFilesAndMarkingPads) {
    const auto info = multi_file();
    const auto spans = file_spans(info, 4, 20);  // bytes 4..23
    ASSERT_EQ(spans.size(), 3u);
    EXPECT_EQ(spans[0].file, 0u);
    EXPECT_EQ(spans[0].offset, 4);
    EXPECT_EQ(spans[0].length, 6);
    EXPECT_FALSE(spans[0].pad);
    EXPECT_EQ(spans[1].file, 1u);
    EXPECT_EQ(spans[1].length, 6);
    EXPECT_TRUE(spans[1].pad);
    EXPECT_EQ(spans[2].file, 3u);
    EXPECT_EQ(spans[2].offset, 0);
    EXPECT_EQ(spans[2].length, 8);
}

TEST(WebSeedFileSpans, TheLastBytesAndOneWholeFile) {
    const auto info = multi_file();
    auto spans = file_spans(info, 30, 6);
    ASSERT_EQ(spans.size(), 1u);
    EXPECT_EQ(spans[0].file, 3u);
    EXPECT_EQ(spans[0].offset, 14);
    EXPECT_EQ(spans[0].length, 6);
    spans = file_spans(info, 0, 10);
    ASSERT_EQ(spans.size(), 1u);
    EXPECT_EQ(spans[0].length, 10);
    EXPECT_THROW(file_spans(info, 30, 7), std::out_of_range);
}

TEST(WebSeedReply, ThePartialReplyOfTheRangeAskedIsData) {
    EXPECT_EQ(judge(head(206, "bytes 100-199/1000", 100), {100, 100}, 1000, now).kind, Kind::data);
    EXPECT_EQ(judge(head(206, "bytes 100-199/*"), {100, 100}, 1000, now).kind, Kind::data);
}

TEST(WebSeedReply, OtherBytesOrAnotherLengthAreRefused) {
    EXPECT_EQ(judge(head(206, "bytes 0-99/1000", 100), {100, 100}, 1000, now).kind, Kind::back_off);
    EXPECT_EQ(judge(head(206, "bytes 100-199/1000", 150), {100, 100}, 1000, now).kind, Kind::back_off)
        << "a reply longer than asked is an error";
    EXPECT_EQ(judge(head(206, ""), {100, 100}, 1000, now).kind, Kind::back_off);
    EXPECT_EQ(judge(head(206, "bytes 100-199/2000"), {100, 100}, 1000, now).kind, Kind::file_missing)
        << "the server's file is another one";
}

TEST(WebSeedReply, AWholeFileIsTakenOnlyWhenTheWholeFileWasAsked) {
    EXPECT_EQ(judge(head(200, "", 1000), {0, 1000}, 1000, now).kind, Kind::data);
    EXPECT_EQ(judge(head(200, "", 1000), {100, 100}, 1000, now).kind, Kind::seed_failed);
    EXPECT_EQ(judge(head(200, "", 999), {0, 1000}, 1000, now).kind, Kind::file_missing);
}

TEST(WebSeedReply, EachStatusSaysWhatComesNext) {
    auto missing = judge(head(404), {0, 10}, 10, now);
    EXPECT_EQ(missing.kind, Kind::file_missing);
    EXPECT_EQ(missing.reason.substr(0, 8), "HTTP 404");
    EXPECT_EQ(judge(head(410), {0, 10}, 10, now).kind, Kind::file_missing);
    EXPECT_EQ(judge(head(503), {0, 10}, 10, now).kind, Kind::back_off);
    EXPECT_EQ(judge(head(500), {0, 10}, 10, now).kind, Kind::back_off);
    EXPECT_EQ(judge(head(429), {0, 10}, 10, now).kind, Kind::back_off);
    auto moved = head(302);
    EXPECT_EQ(judge(moved, {0, 10}, 10, now).kind, Kind::back_off) << "a redirect needs a location";
    moved.location = "/elsewhere";
    EXPECT_EQ(judge(moved, {0, 10}, 10, now).kind, Kind::redirect);
    EXPECT_EQ(judge(head(100), {0, 10}, 10, now).kind, Kind::back_off);
}

TEST(WebSeedReply, RetryAfterIsObeyedAsSecondsOrADate) {
    auto busy = head(503);
    busy.retry_after = "120";
    EXPECT_EQ(judge(busy, {0, 10}, 10, now).retry_after, std::chrono::seconds{120});
    EXPECT_EQ(parse_retry_after("Tue, 14 Nov 2023 22:13:27 GMT", now), std::chrono::seconds{7});
    EXPECT_EQ(parse_retry_after("Tue, 14 Nov 2023 22:00:00 GMT", now), std::chrono::seconds{0}) << "in the past";
    EXPECT_EQ(parse_retry_after("99999999", now), std::chrono::seconds{24 * 3600}) << "capped at a day";
    EXPECT_EQ(parse_retry_after("Tue, 14 Nov 0023 22:13:27 GMT", now), std::chrono::seconds{0}) << "long ago";
    EXPECT_EQ(parse_retry_after("Tue, 14 Nov 9999 22:13:27 GMT", now), std::chrono::seconds{24 * 3600});
    EXPECT_FALSE(parse_retry_after("soon", now));
    EXPECT_FALSE(parse_retry_after("-5", now));
    EXPECT_FALSE(parse_retry_after("", now));
}

TEST(WebSeedReply, ContentRangeIsReadStrictly) {
    auto range = parse_content_range("bytes 0-0/1");
    ASSERT_TRUE(range);
    EXPECT_EQ(range->first, 0);
    EXPECT_EQ(range->last, 0);
    EXPECT_EQ(range->complete, 1);
    EXPECT_FALSE(parse_content_range("bytes 5-4/10"));
    EXPECT_FALSE(parse_content_range("bytes 0-9/9"));
    EXPECT_FALSE(parse_content_range("bytes -1-9/10"));
    EXPECT_FALSE(parse_content_range("items 0-9/10"));
    EXPECT_FALSE(parse_content_range("bytes 0-9"));
    EXPECT_FALSE(parse_content_range("bytes 99999999999999999999-9/10"));
}
