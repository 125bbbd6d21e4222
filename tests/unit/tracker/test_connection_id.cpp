#include <gtest/gtest.h>

#include "test_util.hpp"
#include "tracker/connection_id.hpp"
#include "tracker/siphash.hpp"

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

// Instances that read one secret derive the same keys for a period, so an id issued by one is
// accepted by the other; another secret, or a period two rotations away, is not.
TEST(ConnectionId, InstancesSharingASecretAcceptEachOthersIds) {
    const std::string secret = "a secret both instances read";
    ConnectionKeyRing a(derive_connection_key(secret, 41), derive_connection_key(secret, 40));
    ConnectionKeyRing b(key(9), key(9));
    b.set(derive_connection_key(secret, 41), derive_connection_key(secret, 40));
    ConnectionIds ids_a(a), ids_b(b);
    const auto client = test::v4(0xC0000201, 1000);
    EXPECT_TRUE(ids_b.verify(ids_a.issue(client, 5000), client, 5000));

    // b has moved on one period: the id from a's current key is b's previous one.
    b.set(derive_connection_key(secret, 42), derive_connection_key(secret, 41));
    EXPECT_TRUE(ids_b.verify(ids_a.issue(client, 5000), client, 5000));
    b.set(derive_connection_key(secret, 43), derive_connection_key(secret, 42));
    EXPECT_FALSE(ids_b.verify(ids_a.issue(client, 5000), client, 5000));

    ConnectionKeyRing other(derive_connection_key("another secret entirely", 41),
                            derive_connection_key("another secret entirely", 40));
    ConnectionIds ids_other(other);
    EXPECT_FALSE(ids_other.verify(ids_a.issue(client, 5000), client, 5000));
    EXPECT_NE(derive_connection_key(secret, 41), derive_connection_key(secret, 42));
}

// Instances with a shared secret whose clocks differ by a few seconds: ids issued just after a
// tick or a key period begins on the faster clock are still accepted by the slower one.
TEST(ConnectionId, AnInstanceWhoseClockRunsAheadIsUnderstood) {
    const std::string secret = "a secret both instances read";
    auto enter_period = [&](ConnectionKeyRing& ring, std::uint64_t period) {
        ring.set(derive_connection_key(secret, period), derive_connection_key(secret, period - 1),
                 derive_connection_key(secret, period + 1));
    };
    // The slow instance is in period 41, second 4799 (the last of a 16-second tick); the fast
    // one is 2 seconds ahead: already in period 42 and the next tick.
    ConnectionKeyRing slow(key(9), key(9)), fast(key(9), key(9));
    enter_period(slow, 41);
    enter_period(fast, 42);
    ConnectionIds ids_slow(slow), ids_fast(fast);
    const auto client = test::v4(0xC0000201, 1000);
    EXPECT_TRUE(ids_slow.verify(ids_fast.issue(client, 4801), client, 4799));
    EXPECT_TRUE(ids_fast.verify(ids_slow.issue(client, 4799), client, 4801));
    // Two ticks ahead is not skew but a forged or broken id.
    EXPECT_FALSE(ids_slow.verify(ids_fast.issue(client, 4801 + 16), client, 4799));
    // Without a shared secret there is no next key to accept.
    ConnectionKeyRing random_a, random_b;
    ConnectionIds ids_a(random_a), ids_b(random_b);
    EXPECT_FALSE(ids_b.verify(ids_a.issue(client, 4801), client, 4799));
}

// The reference vectors of the SipHash paper and its implementation: key 00..0f, messages
// 00, 01, ... of each length.
TEST(ConnectionId, SipHashMatchesItsReferenceVectors) {
    SipKey key;
    for (std::size_t i = 0; i < key.size(); ++i)
        key[i] = static_cast<std::uint8_t>(i);
    std::vector<std::uint8_t> message;
    EXPECT_EQ(siphash24(key, message), 0x726fdb47dd0e0e31ull);
    for (std::uint8_t i = 0; i < 15; ++i)
        message.push_back(i);
    EXPECT_EQ(siphash24(key, message), 0xa129ca6149be45e5ull);
}

}  // namespace
}  // namespace shoal::tracker
