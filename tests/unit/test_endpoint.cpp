// HOST:PORT as users and magnet links write it.
#include <gtest/gtest.h>

#include "util/endpoint.hpp"

using namespace shoal;

TEST(Endpoint, SplitsHostAndPort) {
    auto v4 = split_host_port("example.org:6881");
    ASSERT_TRUE(v4);
    EXPECT_EQ(v4->host, "example.org");
    EXPECT_EQ(v4->port, 6881);
    auto v6 = split_host_port("[::1]:51413");
    ASSERT_TRUE(v6);
    EXPECT_EQ(v6->host, "::1");
    EXPECT_EQ(split_host_port("nohost").error().message, "is not HOST:PORT");
    EXPECT_EQ(split_host_port(":80").error().message, "is not HOST:PORT");
    for (const char* bad : {"a:0", "a:65536", "a:", "a:12x", "a:-1"}) {
        ASSERT_FALSE(split_host_port(bad)) << bad;
        EXPECT_EQ(split_host_port(bad).error().message, "has an invalid port") << bad;
    }
}

TEST(Endpoint, OnlyIpAddressesBecomeEndpoints) {
    auto v4 = parse_ip_endpoint("127.0.0.1:6881");
    ASSERT_TRUE(v4);
    EXPECT_EQ(v4->address().to_string(), "127.0.0.1");
    EXPECT_EQ(v4->port(), 6881);
    auto v6 = parse_ip_endpoint("[::1]:7000");
    ASSERT_TRUE(v6);
    EXPECT_TRUE(v6->address().is_v6());
    EXPECT_FALSE(parse_ip_endpoint("example.org:6881"));  // never looked up
    EXPECT_FALSE(parse_ip_endpoint("127.0.0.1:0"));
}
