// ut_pex (BEP 11): payload encoding and decoding, limits, and the per-recipient diff.

#include <gtest/gtest.h>

#include <ostream>
#include <string>

#include "wire/ut_pex.hpp"

namespace shoal::wire {

// How GoogleTest shows a peer in a failure message.
void PrintTo(const PexPeer& p, std::ostream* os) {
    *os << p.endpoint << " flags " << static_cast<int>(p.flags);
}

namespace {

namespace ip = boost::asio::ip;
using namespace std::chrono_literals;
using namespace std::string_literals;

PeerEndpoint ep(const char* address, std::uint16_t port) {
    return {ip::make_address(address), port};
}

std::string compact_v4(std::uint8_t last, std::uint16_t port) {
    return std::string{10,
                       0,
                       0,
                       static_cast<char>(last),
                       static_cast<char>(port >> 8),
                       static_cast<char>(port & 0xff)};
}

std::string compact_v6(const char* address, std::uint16_t port) {
    const auto b = ip::make_address_v6(address).to_bytes();
    std::string out(b.begin(), b.end());
    out.push_back(static_cast<char>(port >> 8));
    out.push_back(static_cast<char>(port & 0xff));
    return out;
}

std::string bstring(const std::string& s) {
    return std::to_string(s.size()) + ":" + s;
}

std::string error_of(std::string_view payload, const PexLimits& limits = {}) {
    auto m = decode_pex(payload, limits);
    return m.ok() ? "(accepted)" : m.error().message;
}

TEST(UtPex, EncodesByteExact) {
    PexMessage m;
    m.added.push_back({ep("10.0.0.1", 6881), pex_flag::seed | pex_flag::reachable});
    m.dropped.push_back(ep("10.0.0.2", 80));
    const std::string expected =
        "d5:added6:\x0a\x00\x00\x01\x1a\xe1"
        "7:added.f1:\x12"
        "6:added60:8:added6.f0:"
        "7:dropped6:\x0a\x00\x00\x02\x00\x50"
        "8:dropped60:e"s;
    EXPECT_EQ(encode_pex(m), expected);
}

TEST(UtPex, RoundTripsBothFamilies) {
    PexMessage m;
    m.added.push_back({ep("192.168.1.5", 51413), pex_flag::prefers_encryption});
    m.added.push_back({ep("2001:db8::1", 6881), pex_flag::supports_utp | pex_flag::holepunch});
    m.dropped.push_back(ep("10.1.2.3", 1));
    m.dropped.push_back(ep("2001:db8::2", 65535));
    auto d = decode_pex(encode_pex(m));
    ASSERT_TRUE(d.ok()) << d.error().message;
    EXPECT_EQ(d->added, m.added);
    EXPECT_EQ(d->dropped, m.dropped);
}

TEST(UtPex, FlagsAreOptional) {
    auto d = decode_pex("d5:added6:" + compact_v4(1, 6881) + "e");
    ASSERT_TRUE(d.ok()) << d.error().message;
    ASSERT_EQ(d->added.size(), 1u);
    EXPECT_EQ(d->added[0].endpoint, ep("10.0.0.1", 6881));
    EXPECT_EQ(d->added[0].flags, 0);
    EXPECT_TRUE(d->dropped.empty());
}

TEST(UtPex, MalformedPayloadsAreRefused) {
    EXPECT_NE(error_of(""), "(accepted)");
    EXPECT_NE(error_of("le"), "(accepted)");
    EXPECT_NE(error_of("d5:addedi1ee"), "(accepted)");
    EXPECT_NE(error_of("d5:added5:abcdee"), "(accepted)");    // not a multiple of 6
    EXPECT_NE(error_of("d6:added66:abcdefe"), "(accepted)");  // not a multiple of 18
    EXPECT_NE(error_of("d7:dropped7:abcdefge"), "(accepted)");
    // One flag byte for two peers.
    EXPECT_NE(error_of("d5:added12:" + compact_v4(1, 1) + compact_v4(2, 2) + "7:added.f1:\x01e"),
              "(accepted)");
    EXPECT_NE(error_of("d5:added6:" + compact_v4(1, 1) + "ee"), "(accepted)");  // trailing
    PexLimits small;
    small.max_field_bytes = 12;
    EXPECT_NE(error_of("d5:added18:" + compact_v4(1, 1) + compact_v4(2, 2) + compact_v4(3, 3) + "e",
                       small),
              "(accepted)");
}

TEST(UtPex, SkipsPortZeroDuplicatesAndAddedThenDropped) {
    const std::string added =
        compact_v4(1, 0) + compact_v4(2, 7) + compact_v4(2, 7) + compact_v4(3, 9);
    const std::string dropped = compact_v4(3, 9) + compact_v4(4, 0) + compact_v4(5, 5);
    auto d = decode_pex("d5:added" + std::to_string(added.size()) + ":" + added + "7:dropped" +
                        std::to_string(dropped.size()) + ":" + dropped + "e");
    ASSERT_TRUE(d.ok()) << d.error().message;
    ASSERT_EQ(d->added.size(), 1u);
    EXPECT_EQ(d->added[0].endpoint, ep("10.0.0.2", 7));
    ASSERT_EQ(d->dropped.size(), 1u);
    EXPECT_EQ(d->dropped[0], ep("10.0.0.5", 5));
}

TEST(UtPex, TruncatesToFiftyAddedAndDropped) {
    PexMessage m;
    for (int i = 1; i <= 60; ++i) {
        m.added.push_back({PeerEndpoint(ip::address_v4(0x0a000000u + i), 1000), 0});
        m.dropped.push_back(PeerEndpoint(ip::address_v4(0x0b000000u + i), 1000));
    }
    m.added.push_back({ep("2001:db8::9", 5), 0});
    auto d = decode_pex(encode_pex(m));
    ASSERT_TRUE(d.ok()) << d.error().message;
    ASSERT_EQ(d->added.size(), 50u);
    EXPECT_EQ(d->added.front().endpoint, m.added.front().endpoint);
    EXPECT_EQ(d->added.back().endpoint, m.added[49].endpoint);  // IPv4 first
    EXPECT_EQ(d->dropped.size(), 50u);
}

TEST(UtPex, V4MappedAddressesTravelAsV4) {
    PexMessage m;
    m.added.push_back({ep("::ffff:10.0.0.7", 99), 0});
    const auto encoded = encode_pex(m);
    EXPECT_NE(encoded.find("5:added6:"), std::string::npos);
    auto d = decode_pex(encoded);
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->added.at(0).endpoint, ep("10.0.0.7", 99));
}

// An IPv4-mapped entry of added6/dropped6 is an IPv4 contact: it comes back among the IPv4 ones,
// ahead of every IPv6 contact, as encode_pex writes it; the decoded message then survives a
// round trip through encode_pex (found by fuzz_ut_pex: a v6 entry then a mapped one).
TEST(UtPex, V4MappedEntriesOfV6FieldsComeWithTheV4Ones) {
    const std::string added6 = compact_v6("2001:db8::1", 6881) +
                               compact_v6("::ffff:10.0.0.2", 6882) +
                               compact_v6("2001:db8::3", 6883);
    const std::string dropped6 = compact_v6("2001:db8::4", 1) + compact_v6("::ffff:10.0.0.5", 2);
    const std::string payload = "d5:added" + bstring(compact_v4(1, 6880)) + "6:added6" +
                                bstring(added6) + "8:added6.f3:\x01\x02\x04" + "7:dropped" +
                                bstring(compact_v4(6, 3)) + "8:dropped6" + bstring(dropped6) + "e";
    auto d = decode_pex(payload);
    ASSERT_TRUE(d.ok()) << d.error().message;
    EXPECT_EQ(d->added, (std::vector<PexPeer>{{ep("10.0.0.1", 6880), 0},
                                              {ep("10.0.0.2", 6882), 0x02},
                                              {ep("2001:db8::1", 6881), 0x01},
                                              {ep("2001:db8::3", 6883), 0x04}}));
    EXPECT_EQ(d->dropped, (std::vector<PeerEndpoint>{ep("10.0.0.6", 3), ep("10.0.0.5", 2),
                                                     ep("2001:db8::4", 1)}));
    auto again = decode_pex(encode_pex(*d));
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_EQ(again->added, d->added);
    EXPECT_EQ(again->dropped, d->dropped);
}

// The limit keeps IPv4 contacts first, mapped ones included, so that what is kept is the same
// after a round trip.
TEST(UtPex, LimitCountsV4MappedEntriesAsV4) {
    std::string added;
    for (std::uint8_t i = 1; i <= 49; ++i)
        added += compact_v4(i, 1000);
    const std::string added6 = compact_v6("2001:db8::1", 1) + compact_v6("::ffff:10.0.1.1", 2);
    auto d = decode_pex("d5:added" + bstring(added) + "6:added6" + bstring(added6) + "e");
    ASSERT_TRUE(d.ok()) << d.error().message;
    ASSERT_EQ(d->added.size(), 50u);
    EXPECT_EQ(d->added.back().endpoint, ep("10.0.1.1", 2));
    auto again = decode_pex(encode_pex(*d));
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_EQ(again->added, d->added);
}

TEST(PexTracker, SendsDiffsAtMostOncePerMinute) {
    const auto t0 = PexTracker::Clock::time_point{} + 1h;
    PexTracker tracker(ep("10.0.0.100", 6881));
    const PexPeer a{ep("10.0.0.1", 1), pex_flag::seed};
    const PexPeer b{ep("10.0.0.2", 2), 0};
    const PexPeer c{ep("2001:db8::3", 3), 0};
    const PexPeer self{ep("10.0.0.100", 6881), 0};
    const PexPeer no_port{ep("10.0.0.9", 0), 0};

    auto m = tracker.update({a, b, self, no_port}, t0);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->added, (std::vector<PexPeer>{a, b}));
    EXPECT_TRUE(m->dropped.empty());

    EXPECT_FALSE(tracker.update({a, c}, t0 + 59s));  // too soon
    m = tracker.update({a, c}, t0 + 60s);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->added, (std::vector<PexPeer>{c}));
    EXPECT_EQ(m->dropped, (std::vector<PeerEndpoint>{b.endpoint}));

    EXPECT_FALSE(tracker.update({a, c}, t0 + 200s));  // nothing changed
    // A peer that came and went between two messages is never mentioned.
    m = tracker.update({c}, t0 + 260s);
    ASSERT_TRUE(m);
    EXPECT_TRUE(m->added.empty());
    EXPECT_EQ(m->dropped, (std::vector<PeerEndpoint>{a.endpoint}));
    EXPECT_EQ(tracker.advertised(), (std::set<PeerEndpoint>{c.endpoint}));
}

TEST(PexTracker, QueuesWhatExceedsTheLimit) {
    const auto t0 = PexTracker::Clock::time_point{} + 1h;
    PexTracker tracker(ep("10.0.0.100", 6881));
    std::vector<PexPeer> peers;
    for (int i = 1; i <= 70; ++i)
        peers.push_back({PeerEndpoint(ip::address_v4(0x0a000000u + i), 7), 0});
    auto m = tracker.update(peers, t0);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->added.size(), 50u);
    m = tracker.update(peers, t0 + 60s);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->added.size(), 20u);
    m = tracker.update({}, t0 + 120s);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->dropped.size(), 50u);
    m = tracker.update({}, t0 + 180s);
    ASSERT_TRUE(m);
    EXPECT_EQ(m->dropped.size(), 20u);
    EXPECT_TRUE(tracker.advertised().empty());
    // Every message the tracker makes is one our decoder accepts in full.
    EXPECT_TRUE(decode_pex(encode_pex(*m)).ok());
}

}  // namespace
}  // namespace shoal::wire
