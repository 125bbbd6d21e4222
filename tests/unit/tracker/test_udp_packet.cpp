#include <gtest/gtest.h>

#include "test_util.hpp"
#include "tracker_protocol/udp_server_packets.hpp"

namespace shoal::tracker {
namespace {

using namespace tracker_protocol;

void put(std::vector<std::uint8_t>& v, std::uint64_t x, int n) {
    for (int i = n - 1; i >= 0; --i)
        v.push_back(static_cast<std::uint8_t>(x >> (8 * i)));
}

std::vector<std::uint8_t> announce_packet(std::uint64_t cid, std::uint32_t tx) {
    std::vector<std::uint8_t> p;
    put(p, cid, 8);
    put(p, 1, 4);
    put(p, tx, 4);
    auto h = test::hash_of(5);
    p.insert(p.end(), h.bytes.begin(), h.bytes.end());
    auto id = test::id_of(1);
    p.insert(p.end(), id.bytes.begin(), id.bytes.end());
    put(p, 100, 8);         // downloaded
    put(p, 0, 8);           // left
    put(p, 300, 8);         // uploaded
    put(p, 2, 4);           // started
    put(p, 0, 4);           // ip
    put(p, 77, 4);          // key
    put(p, 0xFFFFFFFF, 4);  // numwant -1
    put(p, 6881, 2);
    return p;
}

TEST(UdpPacket, ParsesConnect) {
    std::vector<std::uint8_t> p;
    put(p, k_udp_protocol_id, 8);
    put(p, 0, 4);
    put(p, 0xDEADBEEF, 4);
    auto r = parse_udp_request(p);
    auto* c = std::get_if<UdpConnectRequest>(&r.request);
    ASSERT_NE(c, nullptr);
    EXPECT_EQ(c->transaction_id, 0xDEADBEEFu);
}

TEST(UdpPacket, ConnectWithoutProtocolIdGetsNoReply) {
    std::vector<std::uint8_t> p(16, 0);
    auto r = parse_udp_request(p);
    EXPECT_TRUE(std::holds_alternative<std::monostate>(r.request));
    EXPECT_FALSE(r.transaction_id.has_value());
}

TEST(UdpPacket, ParsesAnnounce) {
    auto p = announce_packet(0x1122334455667788ull, 42);
    auto r = parse_udp_request(p);
    auto* a = std::get_if<UdpAnnounceRequest>(&r.request);
    ASSERT_NE(a, nullptr) << r.error;
    EXPECT_EQ(a->connection_id, 0x1122334455667788ull);
    EXPECT_EQ(a->transaction_id, 42u);
    EXPECT_EQ(a->info_hash, test::hash_of(5));
    EXPECT_EQ(a->peer_id, test::id_of(1));
    EXPECT_EQ(a->downloaded, 100u);
    EXPECT_EQ(a->left, 0u);
    EXPECT_EQ(a->uploaded, 300u);
    EXPECT_EQ(a->event, AnnounceEvent::started);
    EXPECT_EQ(a->numwant, -1);
    EXPECT_EQ(a->port, 6881);
    EXPECT_TRUE(a->url_data.empty());
}

TEST(UdpPacket, AnnounceUrlDataOptionIsConcatenated) {
    auto p = announce_packet(1, 2);
    const std::string part1 = "/secret";
    const std::string part2 = "/announce";
    p.push_back(1);  // NOP
    p.push_back(2);
    p.push_back(static_cast<std::uint8_t>(part1.size()));
    p.insert(p.end(), part1.begin(), part1.end());
    p.push_back(2);
    p.push_back(static_cast<std::uint8_t>(part2.size()));
    p.insert(p.end(), part2.begin(), part2.end());
    p.push_back(0);  // EndOfOptions
    p.push_back(2);  // ignored after the end
    auto r = parse_udp_request(p);
    auto* a = std::get_if<UdpAnnounceRequest>(&r.request);
    ASSERT_NE(a, nullptr);
    EXPECT_EQ(a->url_data, "/secret/announce");
}

TEST(UdpPacket, TruncatedOptionIsIgnored) {
    auto p = announce_packet(1, 2);
    p.push_back(2);
    p.push_back(200);  // says 200 bytes, has 3
    p.push_back('a');
    p.push_back('b');
    p.push_back('c');
    auto r = parse_udp_request(p);
    auto* a = std::get_if<UdpAnnounceRequest>(&r.request);
    ASSERT_NE(a, nullptr);
    EXPECT_TRUE(a->url_data.empty());
}

TEST(UdpPacket, TruncatedAnnounceIsAnErrorWithTransaction) {
    auto p = announce_packet(1, 9);
    p.resize(97);
    auto r = parse_udp_request(p);
    EXPECT_TRUE(std::holds_alternative<std::monostate>(r.request));
    ASSERT_TRUE(r.transaction_id.has_value());
    EXPECT_EQ(*r.transaction_id, 9u);
}

TEST(UdpPacket, ShortPacketsAreDropped) {
    for (std::size_t n = 0; n < 16; ++n) {
        std::vector<std::uint8_t> p(n, 0xFF);
        auto r = parse_udp_request(p);
        EXPECT_TRUE(std::holds_alternative<std::monostate>(r.request));
        EXPECT_FALSE(r.transaction_id.has_value());
    }
}

TEST(UdpPacket, ParsesScrapeAndLimitsIt) {
    std::vector<std::uint8_t> p;
    put(p, 5, 8);
    put(p, 2, 4);
    put(p, 3, 4);
    for (int i = 0; i < 2; ++i) {
        auto h = test::hash_of(i);
        p.insert(p.end(), h.bytes.begin(), h.bytes.end());
    }
    p.push_back(0xAA);  // trailing partial hash is ignored
    auto r = parse_udp_request(p);
    auto* s = std::get_if<UdpScrapeRequest>(&r.request);
    ASSERT_NE(s, nullptr);
    ASSERT_EQ(s->info_hashes.size(), 2u);
    EXPECT_EQ(s->info_hashes[1], test::hash_of(1));

    std::vector<std::uint8_t> big;
    put(big, 5, 8);
    put(big, 2, 4);
    put(big, 3, 4);
    big.resize(16 + 20 * (k_udp_max_scrape_hashes + 1));
    EXPECT_TRUE(std::holds_alternative<std::monostate>(parse_udp_request(big).request));
}

TEST(UdpPacket, UnknownActionIsAnError) {
    std::vector<std::uint8_t> p;
    put(p, 5, 8);
    put(p, 7, 4);
    put(p, 3, 4);
    auto r = parse_udp_request(p);
    EXPECT_EQ(r.error, "unknown action");
    EXPECT_EQ(r.transaction_id, 3u);
}

TEST(UdpPacket, WritesAnnounceReplyForEachFamily) {
    std::vector<PeerInfo> peers = {{test::v4(0x7F000001, 6881), {}}, {test::v6(9, 51413), {}}};
    std::vector<std::uint8_t> out;
    write_udp_announce(out, 7, 1800, {3, 4, 5}, peers, Family::v4);
    ASSERT_EQ(out.size(), 20u + 6u);
    EXPECT_EQ(out[3], 1);
    EXPECT_EQ(out[7], 7);
    EXPECT_EQ(out[15], 4);  // leechers
    EXPECT_EQ(out[19], 3);  // seeders
    EXPECT_EQ(out[20], 127);
    EXPECT_EQ((out[24] << 8) | out[25], 6881);
    write_udp_announce(out, 7, 1800, {3, 4, 5}, peers, Family::v6);
    ASSERT_EQ(out.size(), 20u + 18u);
    EXPECT_EQ(out[20], 0x20);
    EXPECT_EQ(out[35], 9);
    EXPECT_EQ((out[36] << 8) | out[37], 51413);
}

TEST(UdpPacket, WritesScrapeAndError) {
    std::vector<std::uint8_t> out;
    write_udp_scrape(out, 1, {{1, 2, 3}, {4, 5, 6}});
    ASSERT_EQ(out.size(), 8u + 24u);
    EXPECT_EQ(out[11], 1);  // seeders
    EXPECT_EQ(out[15], 3);  // completed
    EXPECT_EQ(out[19], 2);  // leechers
    write_udp_error(out, 5, "no");
    ASSERT_EQ(out.size(), 10u);
    EXPECT_EQ(out[3], 3);
    EXPECT_EQ(out[8], 'n');
}

}  // namespace
}  // namespace shoal::tracker
