// The two halves of BEP 15 against each other: what the client writes, the tracker reads, and
// the other way round.

#include <gtest/gtest.h>

#include <variant>

#include "tracker_protocol/udp_client_packets.hpp"
#include "tracker_protocol/udp_server_packets.hpp"

namespace shoal::tracker_protocol {
namespace {

SwarmHash hash_of(std::uint8_t fill) {
    SwarmHash h;
    h.bytes.fill(fill);
    return h;
}

TEST(TrackerProtocol, TrackerReadsTheClientsConnectRequest) {
    auto parsed = parse_udp_request(encode_connect_request(0xCAFE));
    auto* connect = std::get_if<UdpConnectRequest>(&parsed.request);
    ASSERT_NE(connect, nullptr) << parsed.error;
    EXPECT_EQ(connect->transaction_id, 0xCAFEu);
}

TEST(TrackerProtocol, TrackerReadsTheClientsAnnounce) {
    AnnounceRequest request;
    request.info_hash = hash_of(0x11);
    request.peer_id.bytes.fill(0x22);
    request.port = 51413;
    request.uploaded = 300;
    request.downloaded = 100;
    request.left = 7;
    request.event = AnnounceEvent::completed;
    request.numwant = 50;
    request.key = 0xABCD;
    auto parsed = parse_udp_request(encode_announce_request(99, 5, request, "/a?b=c"));
    auto* a = std::get_if<UdpAnnounceRequest>(&parsed.request);
    ASSERT_NE(a, nullptr) << parsed.error;
    EXPECT_EQ(a->connection_id, 99u);
    EXPECT_EQ(a->transaction_id, 5u);
    EXPECT_EQ(a->info_hash.bytes, request.info_hash.bytes);
    EXPECT_EQ(a->peer_id, request.peer_id);
    EXPECT_EQ(a->port, 51413);
    EXPECT_EQ(a->uploaded, 300u);
    EXPECT_EQ(a->downloaded, 100u);
    EXPECT_EQ(a->left, 7u);
    EXPECT_EQ(a->event, AnnounceEvent::completed);
    EXPECT_EQ(a->numwant, 50);
    EXPECT_EQ(a->key, 0xABCDu);
    EXPECT_EQ(a->url_data, "/a?b=c");
}

TEST(TrackerProtocol, TrackerReadsTheClientsScrape) {
    std::vector<SwarmHash> hashes = {hash_of(1), hash_of(2)};
    auto parsed = parse_udp_request(encode_scrape_request(8, 9, hashes));
    auto* s = std::get_if<UdpScrapeRequest>(&parsed.request);
    ASSERT_NE(s, nullptr) << parsed.error;
    ASSERT_EQ(s->info_hashes.size(), 2u);
    EXPECT_EQ(s->info_hashes[1].bytes, hashes[1].bytes);
}

TEST(TrackerProtocol, ClientReadsTheTrackersReplies) {
    std::vector<std::uint8_t> out;
    write_udp_connect(out, 3, 0x0102030405060708);
    auto id = decode_connect_reply(out, 3);
    ASSERT_TRUE(id) << id.error().message;
    EXPECT_EQ(*id, 0x0102030405060708u);

    PeerInfo peer;
    peer.endpoint.address = IpAddress::v4(0x7F000001);
    peer.endpoint.port = 6881;
    write_udp_announce(out, 4, 1800, SwarmCounts{3, 4, 5}, {peer}, Family::v4);
    auto announce = decode_announce_reply(out, 4, false);
    ASSERT_TRUE(announce) << announce.error().message;
    EXPECT_EQ(announce->interval, 1800);
    EXPECT_EQ(announce->seeders, 3);
    EXPECT_EQ(announce->leechers, 4);
    ASSERT_EQ(announce->peers.size(), 1u);
    EXPECT_EQ(announce->peers[0].address().to_string(), "127.0.0.1");
    EXPECT_EQ(announce->peers[0].port(), 6881);

    std::vector<SwarmHash> hashes = {hash_of(1)};
    write_udp_scrape(out, 5, {SwarmCounts{10, 20, 30}});
    auto scrape = decode_scrape_reply(out, 5, hashes);
    ASSERT_TRUE(scrape) << scrape.error().message;
    ASSERT_EQ(scrape->entries.size(), 1u);
    EXPECT_EQ(scrape->entries[0].seeders, 10);
    EXPECT_EQ(scrape->entries[0].leechers, 20);
    EXPECT_EQ(scrape->entries[0].downloaded, 30);

    write_udp_error(out, 6, "go away");
    auto refused = decode_connect_reply(out, 6);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().message, "error: go away");
}

}  // namespace
}  // namespace shoal::tracker_protocol
