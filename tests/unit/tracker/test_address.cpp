#include <gtest/gtest.h>

#include "tracker/address.hpp"

namespace shoal::tracker {
namespace {

TEST(Address, ParsesAndNormalisesV4Mapped) {
    auto a = parse_ip("::ffff:10.1.2.3");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->family, Family::v4);
    EXPECT_EQ(format_ip(*a), "10.1.2.3");
    auto b = parse_ip("2001:db8::1");
    ASSERT_TRUE(b);
    EXPECT_EQ(b->family, Family::v6);
    EXPECT_EQ(format_ip(*b), "2001:db8::1");
    EXPECT_FALSE(parse_ip("300.1.1.1"));
}

TEST(Address, ListenAddresses) {
    auto a = parse_listen_address("127.0.0.1:0");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->port, 0);
    auto b = parse_listen_address("[::]:6969");
    ASSERT_TRUE(b);
    EXPECT_EQ(b->host, "::");
    EXPECT_FALSE(parse_listen_address("::1:80"));
    EXPECT_FALSE(parse_listen_address("1.2.3.4:70000"));
    EXPECT_FALSE(parse_listen_address("1.2.3.4"));
    EXPECT_TRUE(is_disabled("off"));
    EXPECT_TRUE(is_disabled(""));
}

TEST(Address, ForwardedHeadersOnlyFromTrustedProxies) {
    const auto proxy = *parse_ip("10.0.0.1");
    const auto stranger = *parse_ip("203.0.113.9");
    const std::vector<IpAddress> trusted = {proxy};
    EXPECT_EQ(client_address(stranger, "1.1.1.1", "2.2.2.2", trusted), stranger);
    EXPECT_EQ(format_ip(client_address(proxy, "1.1.1.1", "", trusted)), "1.1.1.1");
    EXPECT_EQ(format_ip(client_address(proxy, "", "9.9.9.9, 2.2.2.2", trusted)), "2.2.2.2");
    EXPECT_EQ(client_address(proxy, "garbage", "", trusted), proxy);
}

}  // namespace
}  // namespace shoal::tracker
