// Which of a machine's addresses is its global IPv6 address (BEP 7's "ipv6=").

#include <gtest/gtest.h>

#include <vector>

#include "net/global_ipv6_address.hpp"

namespace shoal::net {
namespace {

namespace ip = boost::asio::ip;

bool global(const char* text) {
    return is_global_ipv6(ip::make_address_v6(text));
}

TEST(GlobalIpv6Address, OnlyGlobalUnicastCounts) {
    EXPECT_TRUE(global("2001:db8::1"));  // documentation addresses count, for tests
    EXPECT_TRUE(global("2a00:1450:4001:80b::200e"));
    EXPECT_FALSE(global("::"));
    EXPECT_FALSE(global("::1"));
    EXPECT_FALSE(global("fe80::1"));
    EXPECT_FALSE(global("fec0::1"));
    EXPECT_FALSE(global("ff02::1"));
    EXPECT_FALSE(global("ff0e::1"));
    EXPECT_FALSE(global("fc00::1"));
    EXPECT_FALSE(global("fd12:3456:789a::1"));
    EXPECT_FALSE(global("::ffff:203.0.113.1"));
}

TEST(GlobalIpv6Address, PicksTheFirstGlobalAddress) {
    const std::vector<InterfaceAddress> addresses = {
        {"lo", ip::make_address("::1")},
        {"lo", ip::make_address("127.0.0.1")},
        {"eth0", ip::make_address("192.0.2.7")},
        {"eth0", ip::make_address("fe80::1")},
        {"eth0", ip::make_address("fd00::7")},
        {"eth0", ip::make_address("2001:db8::7")},
        {"wg0", ip::make_address("2001:db8:1::9")},
    };
    EXPECT_EQ(pick_global_ipv6(addresses, ""), ip::make_address_v6("2001:db8::7"));
    EXPECT_EQ(pick_global_ipv6(addresses, "wg0"), ip::make_address_v6("2001:db8:1::9"));
    EXPECT_EQ(pick_global_ipv6(addresses, "lo"), std::nullopt);
    EXPECT_EQ(pick_global_ipv6(addresses, "eth1"), std::nullopt);
}

TEST(GlobalIpv6Address, NoneWithoutAGlobalAddress) {
    const std::vector<InterfaceAddress> addresses = {
        {"eth0", ip::make_address("192.0.2.7")},
        {"eth0", ip::make_address("fe80::1")},
    };
    EXPECT_EQ(pick_global_ipv6(addresses, ""), std::nullopt);
    EXPECT_EQ(pick_global_ipv6({}, ""), std::nullopt);
}

TEST(GlobalIpv6Address, TheSystemsAddressIsGlobalWhenThereIsOne) {
    const auto found = global_ipv6_address("");
    EXPECT_TRUE(!found || is_global_ipv6(*found));
    EXPECT_EQ(global_ipv6_address("shoal-none0"), std::nullopt);
}

}  // namespace
}  // namespace shoal::net
