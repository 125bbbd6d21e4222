// Node ids: XOR distance helpers and BEP 42's ids bound to IP addresses (the BEP's vectors).

#include <gtest/gtest.h>

#include "discovery/dht/node_id.hpp"
#include "discovery/dht/node_id_rules.hpp"

namespace shoal::dht {
namespace {

Address ip(const char* text) {
    return boost::asio::ip::make_address(text);
}
NodeId hex(const char* text) {
    return *NodeId::from_hex(text);
}

struct Vector {
    const char* ip;
    int rand;
    const char* id;
};

// BEP 42's test vectors.
constexpr Vector k_vectors[] = {
    {"124.31.75.21", 1, "5fbfbff10c5d6a4ec8a88e4c6ab4c28b95eee401"},
    {"21.75.31.124", 86, "5a3ce9c14e7a08645677bbd1cfe7d8f956d53256"},
    {"65.23.51.170", 22, "a5d43220bc8f112a3d426c84764f8c2a1150e616"},
    {"84.124.73.14", 65, "1b0321dd1bb1fe518101ceef99462b947a01ff41"},
    {"43.213.53.83", 90, "e56f6cbf5b7c4be0237986d5243b87aa6d5130 5a"},
};

TEST(dht_node_id, Bep42VectorsVerify) {
    for (const auto& v : k_vectors) {
        std::string text(v.id);
        std::erase(text, ' ');
        const NodeId id = hex(text.c_str());
        EXPECT_TRUE(node_id_matches_address(id, ip(v.ip))) << v.ip;
        // The same id does not fit a neighbouring public address.
        EXPECT_FALSE(node_id_matches_address(id, ip("8.8.8.8"))) << v.ip;
    }
}

TEST(dht_node_id, Bep42GeneratedIdsMatchTheVectors) {
    std::mt19937_64 rng(7);
    for (const auto& v : k_vectors) {
        std::string text(v.id);
        std::erase(text, ' ');
        const NodeId expected = hex(text.c_str());
        const NodeId id = node_id_for_address(ip(v.ip), static_cast<std::uint8_t>(v.rand), rng);
        EXPECT_EQ(id.bytes[0], expected.bytes[0]) << v.ip;
        EXPECT_EQ(id.bytes[1], expected.bytes[1]) << v.ip;
        EXPECT_EQ(id.bytes[2] & 0xf8, expected.bytes[2] & 0xf8) << v.ip;
        EXPECT_EQ(id.bytes[19], expected.bytes[19]) << v.ip;
        EXPECT_TRUE(node_id_matches_address(id, ip(v.ip)));
    }
}

TEST(dht_node_id, Bep42Ipv6RoundTrip) {
    std::mt19937_64 rng(3);
    const Address address = ip("2001:4860:4860::8888");
    const NodeId id = node_id_for_address(address, 0x21, rng);
    EXPECT_TRUE(node_id_matches_address(id, address));
    EXPECT_FALSE(node_id_matches_address(id, ip("2a00:1450::1")));
}

TEST(dht_node_id, LocalAddressesAreExempt) {
    const NodeId any = hex("0000000000000000000000000000000000000000");
    for (const char* text : {"127.0.0.1", "127.0.0.60", "10.1.2.3", "192.168.1.1", "172.16.0.1",
                             "172.31.255.255", "169.254.3.4", "::1", "fd00::1", "fe80::1"}) {
        EXPECT_TRUE(is_exempt_address(ip(text))) << text;
        EXPECT_TRUE(node_id_matches_address(any, ip(text))) << text;
    }
    for (const char* text : {"8.8.8.8", "172.32.0.1", "192.169.0.1", "2001:db8::1"})
        EXPECT_FALSE(is_exempt_address(ip(text))) << text;
}

TEST(dht_node_id, DistanceAndPrefix) {
    const NodeId a = hex("ff00000000000000000000000000000000000000");
    const NodeId b = hex("f000000000000000000000000000000000000001");
    EXPECT_EQ(common_prefix_bits(a, b), 4);
    EXPECT_EQ(common_prefix_bits(a, a), 160);
    EXPECT_EQ(distance(a, b), hex("0f00000000000000000000000000000000000001"));
    EXPECT_TRUE(closer(a, a, b));
    std::mt19937_64 rng(1);
    for (int bits : {0, 1, 7, 8, 100, 159}) {
        const NodeId r = random_id_in_bucket(a, bits, rng);
        EXPECT_EQ(common_prefix_bits(a, r), bits);
    }
}

}  // namespace
}  // namespace shoal::dht
