// The session's external address: the router's public address first, else votes of trackers,
// peers and the DHT, one per network; private and contradicting reports cannot move it alone.

#include <gtest/gtest.h>

#include "session/external_address.hpp"
#include "wire/extension_handshake.hpp"

namespace shoal {
namespace {

using boost::asio::ip::make_address;
using std::chrono::minutes;

const auto t0 = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);

TEST(ExternalAddress, PublicAddressesOnly) {
    EXPECT_TRUE(is_public_address(make_address("203.0.113.5")));
    EXPECT_TRUE(is_public_address(make_address("8.8.8.8")));
    EXPECT_TRUE(is_public_address(make_address("2001:db8::1")));
    for (const char* a : {"10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "100.64.0.1",
                          "169.254.1.1", "127.0.0.1", "0.0.0.0", "::", "::1", "fe80::1", "fd00::1",
                          "::ffff:192.168.1.1", "224.0.0.1"})
        EXPECT_FALSE(is_public_address(make_address(a))) << a;
    EXPECT_TRUE(is_public_address(make_address("172.32.0.1")));
}

TEST(ExternalAddress, TwoNetworksThatAgreeSettleIt) {
    ExternalAddress external;
    EXPECT_FALSE(external.vote(make_address("203.0.113.5"), make_address("198.51.100.1"), t0));
    EXPECT_FALSE(external.address());
    // A second voter from the same /24 is the same network.
    EXPECT_FALSE(external.vote(make_address("203.0.113.5"), make_address("198.51.100.77"), t0));
    EXPECT_FALSE(external.address());
    EXPECT_TRUE(external.vote(make_address("203.0.113.5"), make_address("192.0.2.10"), t0));
    EXPECT_EQ(external.address(), make_address("203.0.113.5"));
}

TEST(ExternalAddress, ALiarDoesNotMoveItAndTheLastReportDoesNotWin) {
    ExternalAddress external;
    external.vote(make_address("203.0.113.5"), make_address("198.51.100.1"), t0);
    external.vote(make_address("203.0.113.5"), make_address("192.0.2.10"), t0);
    external.vote(make_address("203.0.113.5"), make_address("45.0.0.1"), t0);
    EXPECT_FALSE(external.vote(make_address("203.0.113.99"), make_address("198.18.0.1"), t0 + minutes(1)));
    EXPECT_FALSE(external.vote(make_address("203.0.113.99"), make_address("198.19.0.1"), t0 + minutes(1)));
    EXPECT_EQ(external.address(), make_address("203.0.113.5"));
    // Private reports are no votes at all.
    EXPECT_FALSE(external.vote(make_address("192.168.1.10"), make_address("198.18.5.1"), t0));
    EXPECT_EQ(external.address(), make_address("203.0.113.5"));
}

TEST(ExternalAddress, TheRoutersPublicAddressWinsUntilTheMappingGoes) {
    ExternalAddress external;
    external.vote(make_address("203.0.113.5"), make_address("198.51.100.1"), t0);
    external.vote(make_address("203.0.113.5"), make_address("192.0.2.10"), t0);
    EXPECT_TRUE(external.from_router(make_address("203.0.113.1")));
    EXPECT_EQ(external.address(), make_address("203.0.113.1"));
    EXPECT_TRUE(external.from_router(std::nullopt));
    EXPECT_EQ(external.address(), make_address("203.0.113.5"));
    // A router behind another NAT (carrier-grade) does not know our Internet address.
    EXPECT_FALSE(external.from_router(make_address("100.64.3.4")));
    EXPECT_EQ(external.address(), make_address("203.0.113.5"));
}

TEST(ExternalAddress, YourIpFromTheExtensionHandshake) {
    wire::OurExtensions ours;
    ours.their_address = make_address("203.0.113.8");
    auto theirs = wire::decode_extension_handshake(wire::encode_extension_handshake(ours));
    ASSERT_TRUE(theirs);
    EXPECT_EQ(theirs->our_address, make_address("203.0.113.8"));
    ours.their_address = make_address("2001:db8::8");
    theirs = wire::decode_extension_handshake(wire::encode_extension_handshake(ours));
    ASSERT_TRUE(theirs);
    EXPECT_EQ(theirs->our_address, make_address("2001:db8::8"));
    auto odd = wire::decode_extension_handshake("d6:yourip3:abce");
    ASSERT_TRUE(odd);
    EXPECT_FALSE(odd->our_address);
}

}  // namespace
}  // namespace shoal
