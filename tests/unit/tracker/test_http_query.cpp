#include <gtest/gtest.h>

#include "test_util.hpp"
#include "tracker/http_query.hpp"

namespace shoal::tracker {
namespace {

using test::percent_encode;

std::string base_query() {
    std::string raw_hash;
    for (int i = 0; i < 20; ++i)
        raw_hash.push_back(static_cast<char>(i * 13));
    return "info_hash=" + percent_encode(raw_hash) + "&peer_id=-XX0001-abcdefghijkl";
}

TEST(HttpQuery, DecodesBinaryInfoHashAndFields) {
    auto q = parse_announce_query(base_query() +
                                  "&port=6881&uploaded=10&downloaded=20&left=30&event=started"
                                  "&compact=1&numwant=12");
    ASSERT_TRUE(q) << q.error().message;
    for (int i = 0; i < 20; ++i)
        EXPECT_EQ(q->info_hash.bytes[i], static_cast<std::uint8_t>(i * 13));
    EXPECT_EQ(q->peer_id.view(), "-XX0001-abcdefghijkl");
    EXPECT_EQ(q->port, 6881);
    EXPECT_EQ(q->uploaded, 10u);
    EXPECT_EQ(q->downloaded, 20u);
    EXPECT_EQ(q->left, 30u);
    EXPECT_EQ(q->event, AnnounceEvent::started);
    EXPECT_TRUE(q->compact);
    EXPECT_EQ(q->numwant, 12u);
}

TEST(HttpQuery, UnescapedBytesInInfoHashAreKept) {
    // Clients send unreserved characters as they are.
    auto q = parse_announce_query(
        "info_hash=abcdefghij0123456789&peer_id=ABCDEFGHIJKLMNOPQRST"
        "&port=1");
    ASSERT_TRUE(q) << q.error().message;
    EXPECT_EQ(q->info_hash.view(), "abcdefghij0123456789");
}

TEST(HttpQuery, MissingPortIsAnError) {
    auto q = parse_announce_query(base_query());
    ASSERT_FALSE(q);
    EXPECT_EQ(q.error().message, "missing port");
}

TEST(HttpQuery, BadPortsAreErrors) {
    for (const char* port : {"0", "65536", "-1", "abc", "", "99999999999999999999999"}) {
        auto q = parse_announce_query(base_query() + "&port=" + port);
        EXPECT_FALSE(q) << port;
    }
}

TEST(HttpQuery, WrongInfoHashLengthIsAnError) {
    auto q = parse_announce_query("info_hash=%01%02%03&peer_id=ABCDEFGHIJKLMNOPQRST&port=1");
    ASSERT_FALSE(q);
    EXPECT_EQ(q.error().message, "info_hash must be 20 bytes, got 3");
    auto missing = parse_announce_query("peer_id=ABCDEFGHIJKLMNOPQRST&port=1");
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().message, "missing info_hash");
}

TEST(HttpQuery, ShortPeerIdIsAnError) {
    auto q = parse_announce_query("info_hash=abcdefghij0123456789&peer_id=short&port=1");
    EXPECT_FALSE(q);
}

TEST(HttpQuery, MalformedEscapeIsAnError) {
    EXPECT_FALSE(parse_announce_query(base_query() + "&port=1&key=%G1"));
    EXPECT_FALSE(parse_announce_query(base_query() + "&port=1&key=%4"));
}

TEST(HttpQuery, HugeNumwantSaturates) {
    auto q = parse_announce_query(base_query() + "&port=1&numwant=999999999999999999999999");
    ASSERT_TRUE(q);
    EXPECT_EQ(q->numwant, 0xFFFFFFFFu);
    auto negative = parse_announce_query(base_query() + "&port=1&numwant=-5");
    ASSERT_TRUE(negative);
    EXPECT_FALSE(negative->numwant.has_value());
    EXPECT_FALSE(parse_announce_query(base_query() + "&port=1&numwant=12x"));
}

TEST(HttpQuery, CompactZeroAndEvents) {
    auto q = parse_announce_query(base_query() + "&port=1&compact=0&event=stopped&no_peer_id=1");
    ASSERT_TRUE(q);
    EXPECT_FALSE(q->compact);
    EXPECT_TRUE(q->no_peer_id);
    EXPECT_EQ(q->event, AnnounceEvent::stopped);
    auto c = parse_announce_query(base_query() + "&port=1&event=completed");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->event, AnnounceEvent::completed);
    EXPECT_FALSE(c->left.has_value());
}

TEST(HttpQuery, ScrapeTakesManyHashesAndLimitsThem) {
    std::string query;
    for (int i = 0; i < 3; ++i) {
        query += "info_hash=" + percent_encode(test::hash_of(i).view()) + "&";
    }
    auto s = parse_scrape_query(query, 10);
    ASSERT_TRUE(s);
    ASSERT_EQ(s->size(), 3u);
    EXPECT_EQ((*s)[2], test::hash_of(2));
    EXPECT_FALSE(parse_scrape_query(query, 2));
    auto none = parse_scrape_query("", 10);
    ASSERT_TRUE(none);
    EXPECT_TRUE(none->empty());
    EXPECT_FALSE(parse_scrape_query("info_hash=short", 10));
}

TEST(HttpQuery, PercentDecodePlusIsSpace) {
    std::string out;
    ASSERT_TRUE(percent_decode("a+b%20c", out));
    EXPECT_EQ(out, "a b c");
}

}  // namespace
}  // namespace shoal::tracker
