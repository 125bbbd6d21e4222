// BEP 15 packets and the BEP 41 URL data option: exact bytes out, checked bytes in.

#include <gtest/gtest.h>

#include <string>

#include "tracker_protocol/udp_client_packets.hpp"

namespace shoal::tracker_client {
namespace {

using namespace tracker_protocol;

Bytes from(std::initializer_list<int> values) {
    Bytes out;
    for (int v : values)
        out.push_back(static_cast<std::uint8_t>(v));
    return out;
}

void put32(Bytes& b, std::uint32_t v) {
    for (int s = 24; s >= 0; s -= 8)
        b.push_back(static_cast<std::uint8_t>(v >> s));
}

std::uint64_t get(const Bytes& b, std::size_t at, std::size_t size) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < size; ++i)
        v = (v << 8) | b.at(at + i);
    return v;
}

Bytes reply_header(UdpAction action, std::uint32_t transaction_id) {
    Bytes b;
    put32(b, static_cast<std::uint32_t>(action));
    put32(b, transaction_id);
    return b;
}

TEST(UdpTrackerPackets, ConnectRequest) {
    EXPECT_EQ(encode_connect_request(0x01020304),
              from({0x00, 0x00, 0x04, 0x17, 0x27, 0x10, 0x19, 0x80, 0, 0, 0, 0, 1, 2, 3, 4}));
}

TEST(UdpTrackerPackets, AnnounceRequestLayout) {
    AnnounceRequest r;
    r.info_hash.bytes.fill(0x11);
    r.peer_id.bytes.fill(0x22);
    r.downloaded = 5;
    r.left = 6;
    r.uploaded = 7;
    r.event = AnnounceEvent::stopped;
    r.key = 0xcafebabe;
    r.numwant = -1;
    r.port = 51413;
    auto p = encode_announce_request(0x1122334455667788, 9, r, "");
    ASSERT_EQ(p.size(), 98u);
    EXPECT_EQ(get(p, 0, 8), 0x1122334455667788u);
    EXPECT_EQ(get(p, 8, 4), 1u);
    EXPECT_EQ(get(p, 12, 4), 9u);
    EXPECT_EQ(p[16], 0x11);
    EXPECT_EQ(p[35], 0x11);
    EXPECT_EQ(p[36], 0x22);
    EXPECT_EQ(p[55], 0x22);
    EXPECT_EQ(get(p, 56, 8), 5u);
    EXPECT_EQ(get(p, 64, 8), 6u);
    EXPECT_EQ(get(p, 72, 8), 7u);
    EXPECT_EQ(get(p, 80, 4), 3u);
    EXPECT_EQ(get(p, 84, 4), 0u);
    EXPECT_EQ(get(p, 88, 4), 0xcafebabeu);
    EXPECT_EQ(get(p, 92, 4), 0xffffffffu);
    EXPECT_EQ(get(p, 96, 2), 51413u);

    r.event = AnnounceEvent::started;
    r.numwant = 50;
    p = encode_announce_request(1, 2, r, "");
    EXPECT_EQ(get(p, 80, 4), 2u);
    EXPECT_EQ(get(p, 92, 4), 50u);
}

TEST(UdpTrackerPackets, UrlDataOptionIsChunked) {
    AnnounceRequest r;
    auto p = encode_announce_request(1, 2, r, "/dir?a=b&c=d");
    ASSERT_EQ(p.size(), 98u + 2 + 12);
    EXPECT_EQ(p[98], 2);
    EXPECT_EQ(p[99], 12);
    EXPECT_EQ(std::string(p.begin() + 100, p.end()), "/dir?a=b&c=d");

    const std::string long_data = "/" + std::string(299, 'x');
    p = encode_announce_request(1, 2, r, long_data);
    ASSERT_EQ(p.size(), 98u + 2 + 255 + 2 + 45);
    EXPECT_EQ(p[98], 2);
    EXPECT_EQ(p[99], 255);
    EXPECT_EQ(p[98 + 257], 2);
    EXPECT_EQ(p[98 + 258], 45);
    std::string joined(p.begin() + 100, p.begin() + 355);
    joined.append(p.begin() + 357, p.end());
    EXPECT_EQ(joined, long_data);
}

TEST(UdpTrackerPackets, ScrapeRequestCapsHashCount) {
    std::vector<SwarmHash> hashes(100);
    for (std::size_t i = 0; i < hashes.size(); ++i)
        hashes[i].bytes.fill(static_cast<std::uint8_t>(i));
    auto p = encode_scrape_request(7, 8, hashes);
    ASSERT_EQ(p.size(), 16u + 20 * k_udp_max_scrape_hashes);
    EXPECT_EQ(get(p, 8, 4), 2u);
    EXPECT_EQ(p[16 + 20], 1);
    EXPECT_EQ(p.back(), k_udp_max_scrape_hashes - 1);
}

TEST(UdpTrackerPackets, ConnectReply) {
    auto b = reply_header(UdpAction::connect, 42);
    put32(b, 0xaabbccdd);
    put32(b, 0x11223344);
    auto id = decode_connect_reply(b, 42);
    ASSERT_TRUE(id.ok()) << id.error().message;
    EXPECT_EQ(*id, 0xaabbccdd11223344u);
    EXPECT_EQ(decode_connect_reply(b, 43).error().message, "reply has a foreign transaction id");
    b.pop_back();
    EXPECT_EQ(decode_connect_reply(b, 42).error().message, "reply of 15 bytes is too short");
    EXPECT_EQ(decode_connect_reply(from({0, 0, 0}), 42).error().message,
              "reply of 3 bytes is too short");
    auto wrong = reply_header(UdpAction::announce, 42);
    wrong.resize(16);
    EXPECT_EQ(decode_connect_reply(wrong, 42).error().message, "reply has action 1, expected 0");
}

TEST(UdpTrackerPackets, ErrorReply) {
    auto b = reply_header(UdpAction::error, 5);
    const std::string text = "unregistered torrent\n";
    b.insert(b.end(), text.begin(), text.end());
    EXPECT_EQ(decode_announce_reply(b, 5, false).error().message, "error: unregistered torrent?");
    EXPECT_EQ(decode_connect_reply(b, 5).error().message, "error: unregistered torrent?");
    EXPECT_EQ(decode_scrape_reply(b, 5, {}).error().message, "error: unregistered torrent?");
    auto header = peek_udp_header(b);
    ASSERT_TRUE(header);
    EXPECT_EQ(header->action, 3u);
    EXPECT_EQ(header->transaction_id, 5u);
}

TEST(UdpTrackerPackets, AnnounceReplyV4AndV6) {
    auto b = reply_header(UdpAction::announce, 77);
    put32(b, 1800);
    put32(b, 4);  // leechers
    put32(b, 3);  // seeders
    for (int v : {127, 0, 0, 1, 0x1a, 0xe1, 10, 0, 0, 2, 0, 80})
        b.push_back(static_cast<std::uint8_t>(v));
    auto r = decode_announce_reply(b, 77, false);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->interval, 1800);
    EXPECT_EQ(r->leechers, 4);
    EXPECT_EQ(r->seeders, 3);
    ASSERT_EQ(r->peers.size(), 2u);
    EXPECT_EQ(r->peers[0].address().to_string(), "127.0.0.1");
    EXPECT_EQ(r->peers[0].port(), 6881);
    EXPECT_EQ(r->peers[1].port(), 80);

    // The same 12 peer bytes over IPv6 are no whole 18-byte peer: ignored, not misread.
    auto v6 = decode_announce_reply(b, 77, true);
    ASSERT_TRUE(v6.ok());
    EXPECT_TRUE(v6->peers.empty());
    for (int i = 0; i < 6; ++i)
        b.push_back(0);
    b[20 + 15] = 1;
    b[20 + 17] = 0x50;
    v6 = decode_announce_reply(b, 77, true);
    ASSERT_TRUE(v6.ok());
    ASSERT_EQ(v6->peers.size(), 1u);
    EXPECT_TRUE(v6->peers[0].address().is_v6());
    EXPECT_EQ(v6->peers[0].port(), 80);

    EXPECT_EQ(decode_announce_reply(b, 77, false, 2).error().message,
              "reply lists more than 2 peers");
    Bytes short_reply = reply_header(UdpAction::announce, 77);
    put32(short_reply, 1);
    EXPECT_EQ(decode_announce_reply(short_reply, 77, false).error().message,
              "reply of 12 bytes is too short");
}

TEST(UdpTrackerPackets, ScrapeReply) {
    std::vector<SwarmHash> hashes(2);
    hashes[0].bytes.fill(1);
    hashes[1].bytes.fill(2);
    auto b = reply_header(UdpAction::scrape, 9);
    for (std::uint32_t v : {10u, 20u, 30u, 11u, 21u, 31u})
        put32(b, v);
    auto r = decode_scrape_reply(b, 9, hashes);
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->entries.size(), 2u);
    EXPECT_EQ(r->entries[0].info_hash, hashes[0]);
    EXPECT_EQ(r->entries[0].seeders, 10);
    EXPECT_EQ(r->entries[0].downloaded, 20);
    EXPECT_EQ(r->entries[0].leechers, 30);
    EXPECT_EQ(r->entries[1].info_hash, hashes[1]);
    EXPECT_EQ(r->entries[1].leechers, 31);
    b.resize(b.size() - 1);
    EXPECT_EQ(decode_scrape_reply(b, 9, hashes).error().message,
              "scrape reply has 1 entries for 2 torrents");
}

}  // namespace
}  // namespace shoal::tracker_client
