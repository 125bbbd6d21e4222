#include <gtest/gtest.h>

#include "test_util.hpp"
#include "tracker/udp_handler.hpp"
#include "tracker_protocol/udp_server_packets.hpp"

namespace shoal::tracker {
namespace {

using namespace tracker_protocol;

void put(std::vector<std::uint8_t>& v, std::uint64_t x, int n) {
    for (int i = n - 1; i >= 0; --i)
        v.push_back(static_cast<std::uint8_t>(x >> (8 * i)));
}
std::uint64_t get(const std::vector<std::uint8_t>& v, std::size_t at, int n) {
    std::uint64_t x = 0;
    for (int i = 0; i < n; ++i)
        x = (x << 8) | v[at + static_cast<std::size_t>(i)];
    return x;
}

class UdpHandlerTest : public ::testing::Test {
  protected:
    UdpHandlerTest() { config.interval_jitter = 0; }

    std::uint64_t connect(const PeerEndpoint& from) {
        std::vector<std::uint8_t> p;
        put(p, k_udp_protocol_id, 8);
        put(p, 0, 4);
        put(p, 99, 4);
        EXPECT_TRUE(handler.handle(p, from, out));
        EXPECT_EQ(out.size(), 16u);
        EXPECT_EQ(get(out, 0, 4), 0u);
        EXPECT_EQ(get(out, 4, 4), 99u);
        return get(out, 8, 8);
    }
    std::vector<std::uint8_t> announce(std::uint64_t cid, int torrent, std::uint16_t port,
                                       std::uint64_t left, const std::string& url = "") {
        std::vector<std::uint8_t> p;
        put(p, cid, 8);
        put(p, 1, 4);
        put(p, 1234, 4);
        auto h = test::hash_of(torrent);
        p.insert(p.end(), h.bytes.begin(), h.bytes.end());
        auto id = test::id_of(port);
        p.insert(p.end(), id.bytes.begin(), id.bytes.end());
        put(p, 0, 8);
        put(p, left, 8);
        put(p, 0, 8);
        put(p, 2, 4);
        put(p, 0, 4);
        put(p, 0, 4);
        put(p, 0xFFFFFFFF, 4);
        put(p, port, 2);
        if (!url.empty()) {
            p.push_back(2);
            p.push_back(static_cast<std::uint8_t>(url.size()));
            p.insert(p.end(), url.begin(), url.end());
        }
        return p;
    }

    Config config;
    SwarmStore store{StoreOptions{4, 2400, 1}};
    SharedSnapshot<AccessPolicy> access{std::make_shared<const AccessPolicy>()};
    Metrics metrics;
    AnnounceService service{config, store, access, metrics, 7};
    ConnectionKeyRing ring;
    ConnectionIds ids{ring};
    std::uint32_t now = 10000;
    UdpHandler handler{service, ids, [this] { return now; }};
    std::vector<std::uint8_t> out;
};

TEST_F(UdpHandlerTest, ConnectThenAnnounceV4) {
    const auto a = test::v4(0x7F000001, 40000);
    const auto b = test::v4(0x7F000002, 40001);
    ASSERT_TRUE(handler.handle(announce(connect(a), 1, 6881, 0), a, out));
    ASSERT_TRUE(handler.handle(announce(connect(b), 1, 6882, 100), b, out));
    ASSERT_EQ(out.size(), 26u);
    EXPECT_EQ(get(out, 0, 4), 1u);
    EXPECT_EQ(get(out, 4, 4), 1234u);
    EXPECT_EQ(get(out, 8, 4), 1800u);
    EXPECT_EQ(get(out, 12, 4), 1u);  // leechers
    EXPECT_EQ(get(out, 16, 4), 1u);  // seeders
    EXPECT_EQ(get(out, 20, 4), 0x7F000001u);
    EXPECT_EQ(get(out, 24, 2), 6881u);
    EXPECT_EQ(metrics.announces(Protocol::udp), 2u);
}

TEST_F(UdpHandlerTest, V6AnnounceUses18BytePeersAndOnlyV6) {
    const auto a = test::v6(1, 40000);
    const auto b = test::v6(2, 40001);
    const auto c = test::v4(3, 40002);
    handler.handle(announce(connect(a), 1, 6881, 0), a, out);
    handler.handle(announce(connect(c), 1, 6883, 0), c, out);
    ASSERT_TRUE(handler.handle(announce(connect(b), 1, 6882, 5), b, out));
    ASSERT_EQ(out.size(), 20u + 18u);
    EXPECT_EQ(out[20], 0x20);
    EXPECT_EQ(out[35], 1);
    EXPECT_EQ(get(out, 36, 2), 6881u);
}

TEST_F(UdpHandlerTest, BadOrExpiredConnectionIdIsAnError) {
    const auto a = test::v4(0x7F000001, 40000);
    const auto cid = connect(a);
    ASSERT_TRUE(handler.handle(announce(cid + 1, 1, 6881, 0), a, out));
    EXPECT_EQ(get(out, 0, 4), 3u);
    EXPECT_EQ(std::string(out.begin() + 8, out.end()), "bad connection id");
    now += 600;
    ASSERT_TRUE(handler.handle(announce(cid, 1, 6881, 0), a, out));
    EXPECT_EQ(get(out, 0, 4), 3u);
    // The id is bound to its address, not its port.
    now -= 600;
    ASSERT_TRUE(handler.handle(announce(cid, 1, 6881, 0), test::v4(0x7F000009, 40000), out));
    EXPECT_EQ(get(out, 0, 4), 3u);
    ASSERT_TRUE(handler.handle(announce(cid, 1, 6881, 0), test::v4(0x7F000001, 40001), out));
    EXPECT_EQ(get(out, 0, 4), 1u);
    EXPECT_EQ(metrics.errors(ErrorKind::bad_connection_id), 3u);
}

TEST_F(UdpHandlerTest, ScrapeReportsCounts) {
    const auto a = test::v4(0x7F000001, 40000);
    handler.handle(announce(connect(a), 1, 6881, 0), a, out);
    std::vector<std::uint8_t> p;
    put(p, connect(a), 8);
    put(p, 2, 4);
    put(p, 5, 4);
    for (int t : {1, 2}) {
        auto h = test::hash_of(t);
        p.insert(p.end(), h.bytes.begin(), h.bytes.end());
    }
    ASSERT_TRUE(handler.handle(p, a, out));
    ASSERT_EQ(out.size(), 8u + 24u);
    EXPECT_EQ(get(out, 8, 4), 1u);   // seeders of torrent 1
    EXPECT_EQ(get(out, 20, 4), 0u);  // unknown torrent
}

TEST_F(UdpHandlerTest, PasskeyFromUrlData) {
    access.publish(std::make_shared<const AccessPolicy>(
        AccessMode::off, InfoHashSet{}, true,
        std::unordered_set<std::string>{"k3y"}));
    const auto a = test::v4(0x7F000001, 40000);
    ASSERT_TRUE(handler.handle(announce(connect(a), 1, 6881, 0), a, out));
    EXPECT_EQ(get(out, 0, 4), 3u);
    ASSERT_TRUE(handler.handle(announce(connect(a), 1, 6881, 0, "/nope/announce"), a, out));
    EXPECT_EQ(get(out, 0, 4), 3u);
    ASSERT_TRUE(handler.handle(announce(connect(a), 1, 6881, 0, "/k3y/announce?x=1"), a, out));
    EXPECT_EQ(get(out, 0, 4), 1u);
    EXPECT_EQ(passkey_from_url_data("/k3y/announce"), "k3y");
    EXPECT_EQ(passkey_from_url_data("/announce"), "");
}

TEST_F(UdpHandlerTest, GarbageIsDroppedOrAnsweredSmall) {
    const auto a = test::v4(0x7F000001, 40000);
    for (std::size_t n = 0; n < 200; ++n) {
        std::vector<std::uint8_t> junk(n);
        for (std::size_t i = 0; i < n; ++i)
            junk[i] = static_cast<std::uint8_t>(i * 31 + n);
        if (handler.handle(junk, a, out)) {
            EXPECT_LE(out.size(), std::max<std::size_t>(n, 16)) << n;
        }
    }
    std::vector<std::uint8_t> truncated = announce(connect(a), 1, 6881, 0);
    truncated.resize(40);
    if (handler.handle(truncated, a, out)) {
        EXPECT_EQ(get(out, 0, 4), 3u);
    }
    EXPECT_GT(metrics.errors(ErrorKind::bad_packet), 0u);
}

TEST_F(UdpHandlerTest, ReplyFitsOneDatagram) {
    config.numwant_max = 1000;
    config.numwant_default = 1000;
    for (std::uint16_t p = 1; p <= 400; ++p) {
        const auto ep = test::v4(0x0A000000u + p, p);
        handler.handle(announce(connect(ep), 1, p, 5), ep, out);
    }
    const auto me = test::v4(0x0B000001, 1);
    ASSERT_TRUE(handler.handle(announce(connect(me), 1, 999, 5), me, out));
    EXPECT_LE(out.size(), k_udp_max_reply);
    EXPECT_GT(out.size(), 1000u);
}

}  // namespace
}  // namespace shoal::tracker
