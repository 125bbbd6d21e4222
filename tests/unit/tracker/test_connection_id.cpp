#include <gtest/gtest.h>

#include "test_util.hpp"
#include "tracker/connection_id.hpp"

namespace shoal::tracker {
namespace {

MacKey key(std::uint8_t b) {
    MacKey k;
    k.fill(b);
    return k;
}

TEST(ConnectionId, ValidForAboutTwoMinutes) {
    ConnectionKeyRing ring(key(1), key(2));
    ConnectionIds ids(ring);
    const auto client = test::v4(0x7F000001, 5000);
    const std::uint32_t t0 = 100000;
    const auto id = ids.issue(client, t0);
    EXPECT_TRUE(ids.verify(id, client, t0));
    EXPECT_TRUE(ids.verify(id, client, t0 + 60));
    EXPECT_TRUE(ids.verify(id, client, t0 + 110));
    EXPECT_FALSE(ids.verify(id, client, t0 + 150));
    EXPECT_FALSE(ids.verify(id, client, t0 + 100000));
}

// Bound to the address, not the port: libtorrent shares one cached id among the sessions of
// a process (each on its own port), and a NAT may rebind the port between connect and announce.
TEST(ConnectionId, BoundToAddressNotPortV4) {
    ConnectionKeyRing ring(key(1), key(2));
    ConnectionIds ids(ring);
    const auto id = ids.issue(test::v4(0xC0000201, 1000), 1000);  // 192.0.2.1:1000
    EXPECT_TRUE(ids.verify(id, test::v4(0xC0000201, 1000), 1000));
    EXPECT_TRUE(ids.verify(id, test::v4(0xC0000201, 2000), 1000));
    EXPECT_TRUE(ids.verify(id, test::v4(0xC0000201, 2000), 1060));
    EXPECT_FALSE(ids.verify(id, test::v4(0xC0000202, 1000), 1000));
    EXPECT_FALSE(ids.verify(id, test::v4(0xC0000202, 2000), 1000));
    EXPECT_FALSE(ids.verify(id, test::v6(1, 1000), 1000));
    // Another port does not stretch the expiry.
    EXPECT_FALSE(ids.verify(id, test::v4(0xC0000201, 2000), 1000 + 150));
}

TEST(ConnectionId, BoundToAddressNotPortV6) {
    ConnectionKeyRing ring(key(1), key(2));
    ConnectionIds ids(ring);
    const auto id = ids.issue(test::v6(1, 1000), 1000);  // [2001::1]:1000
    EXPECT_TRUE(ids.verify(id, test::v6(1, 1000), 1000));
    EXPECT_TRUE(ids.verify(id, test::v6(1, 2000), 1000));
    EXPECT_FALSE(ids.verify(id, test::v6(2, 1000), 1000));
    EXPECT_FALSE(ids.verify(id, test::v6(2, 2000), 1000));
    EXPECT_FALSE(ids.verify(id, test::v4(0xC0000201, 1000), 1000));
}

TEST(ConnectionId, ForgedIdsFail) {
    ConnectionKeyRing ring(key(1), key(2));
    ConnectionIds ids(ring);
    const auto client = test::v4(0x7F000001, 5000);
    const auto id = ids.issue(client, 1000);
    for (int bit = 0; bit < 48; ++bit) {
        EXPECT_FALSE(ids.verify(id ^ (1ull << bit), client, 1000)) << bit;
    }
    EXPECT_FALSE(ids.verify(0, client, 1000));
    EXPECT_FALSE(ids.verify(0x41727101980ull, client, 1000));
    // Another tracker (another key) cannot mint ids for this one.
    ConnectionKeyRing other(key(9), key(8));
    ConnectionIds other_ids(other);
    EXPECT_FALSE(ids.verify(other_ids.issue(client, 1000), client, 1000));
}

TEST(ConnectionId, PreviousKeyStillAcceptedAfterRotation) {
    ConnectionKeyRing ring(key(1), key(2));
    ConnectionIds ids(ring);
    const auto client = test::v4(0x0A000001, 6881);
    const auto before = ids.issue(client, 5000);
    ring.rotate_to(key(3));
    EXPECT_TRUE(ids.verify(before, client, 5010));
    const auto after = ids.issue(client, 5010);
    EXPECT_NE(before, after);
    EXPECT_TRUE(ids.verify(after, client, 5010));
    ring.rotate_to(key(4));  // the first key is now two rotations old
    EXPECT_FALSE(ids.verify(before, client, 5020));
    EXPECT_TRUE(ids.verify(after, client, 5020));
}

TEST(ConnectionId, RandomKeysDiffer) {
    ConnectionKeyRing a, b;
    ConnectionIds ia(a), ib(b);
    const auto client = test::v4(1, 1);
    EXPECT_NE(ia.issue(client, 10), ib.issue(client, 10));
}

}  // namespace
}  // namespace shoal::tracker
