// NAT-PMP (RFC 6886) requests as exact bytes, responses checked field by field (they come from
// the network), and the default gateway read from a route table's text.

#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "discovery/port_mapping/gateway.hpp"
#include "discovery/port_mapping/natpmp_packets.hpp"

namespace shoal::port_mapping::natpmp {
namespace {

using boost::asio::ip::address_v4;
using boost::asio::ip::make_address_v4;
using udp = boost::asio::ip::udp;

const address_v4 k_gateway = make_address_v4("192.0.2.1");
const udp::endpoint k_from{k_gateway, 5351};

using Bytes = std::vector<std::uint8_t>;

Bytes public_address_response(std::uint16_t result, std::uint32_t address) {
    return {0,
            128,
            static_cast<std::uint8_t>(result >> 8),
            static_cast<std::uint8_t>(result),
            0,
            0,
            0x1e,
            0x61,  // epoch 7777
            static_cast<std::uint8_t>(address >> 24),
            static_cast<std::uint8_t>(address >> 16),
            static_cast<std::uint8_t>(address >> 8),
            static_cast<std::uint8_t>(address)};
}

Bytes mapping_response(std::uint8_t op, std::uint16_t result, std::uint16_t internal,
                       std::uint16_t external, std::uint32_t lifetime) {
    return {0,
            op,
            static_cast<std::uint8_t>(result >> 8),
            static_cast<std::uint8_t>(result),
            0,
            0,
            0,
            9,
            static_cast<std::uint8_t>(internal >> 8),
            static_cast<std::uint8_t>(internal),
            static_cast<std::uint8_t>(external >> 8),
            static_cast<std::uint8_t>(external),
            static_cast<std::uint8_t>(lifetime >> 24),
            static_cast<std::uint8_t>(lifetime >> 16),
            static_cast<std::uint8_t>(lifetime >> 8),
            static_cast<std::uint8_t>(lifetime)};
}

TEST(NatpmpPackets, PublicAddressRequestIsVersionAndOpcode) {
    const auto request = encode_public_address_request();
    EXPECT_EQ(Bytes(request.begin(), request.end()), (Bytes{0, 0}));
}

TEST(NatpmpPackets, MappingRequestBytes) {
    const auto tcp = encode_mapping_request(Op::map_tcp, 6881, 6882, 3600);
    EXPECT_EQ(Bytes(tcp.begin(), tcp.end()),
              (Bytes{0, 2, 0, 0, 0x1a, 0xe1, 0x1a, 0xe2, 0, 0, 0x0e, 0x10}));
    const auto remove = encode_mapping_request(Op::map_udp, 6881, 0, 0);
    EXPECT_EQ(Bytes(remove.begin(), remove.end()),
              (Bytes{0, 1, 0, 0, 0x1a, 0xe1, 0, 0, 0, 0, 0, 0}));
}

TEST(NatpmpPackets, ParsesPublicAddress) {
    const auto r =
        parse_public_address_response(public_address_response(0, 0xcb007101), k_from, k_gateway);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->result, 0);
    EXPECT_EQ(r->epoch, 7777u);
    EXPECT_EQ(r->address, make_address_v4("203.0.113.1"));
}

TEST(NatpmpPackets, PublicAddressErrorMayBeHeaderOnly) {
    auto bytes = public_address_response(3, 0);
    bytes.resize(8);
    const auto r = parse_public_address_response(bytes, k_from, k_gateway);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->result, 3);
    EXPECT_EQ(result_name(r->result), "NetworkFailure");
}

TEST(NatpmpPackets, RefusesPublicAddressResponsesThatAreWrong) {
    const auto good = public_address_response(0, 0xcb007101);
    auto version = good;
    version[0] = 1;
    auto opcode = good;
    opcode[1] = 129;
    auto request_op = good;
    request_op[1] = 0;  // a request, not a response
    auto longer = good;
    longer.push_back(0);
    auto shorter = good;
    shorter.pop_back();
    auto success_header_only = good;
    success_header_only.resize(8);
    for (const auto& bytes : {version, opcode, request_op, longer, shorter, success_header_only}) {
        EXPECT_FALSE(parse_public_address_response(bytes, k_from, k_gateway));
    }
    EXPECT_FALSE(parse_public_address_response(Bytes{}, k_from, k_gateway));
    EXPECT_FALSE(parse_public_address_response(Bytes{0, 128}, k_from, k_gateway));
    // Success with no address.
    EXPECT_FALSE(parse_public_address_response(public_address_response(0, 0), k_from, k_gateway));
}

TEST(NatpmpPackets, RefusesResponsesFromAnyoneButTheGateway) {
    const auto good = public_address_response(0, 0xcb007101);
    const udp::endpoint other_host{make_address_v4("192.0.2.9"), 5351};
    const udp::endpoint other_port{k_gateway, 5350};
    EXPECT_FALSE(parse_public_address_response(good, other_host, k_gateway));
    const auto r = parse_public_address_response(good, other_port, k_gateway);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("not the gateway"), std::string::npos);
}

TEST(NatpmpPackets, ParsesMapping) {
    const auto r = parse_mapping_response(mapping_response(130, 0, 6881, 40000, 1800), k_from,
                                          k_gateway, Op::map_tcp);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->op, Op::map_tcp);
    EXPECT_EQ(r->internal_port, 6881);
    EXPECT_EQ(r->external_port, 40000);
    EXPECT_EQ(r->lifetime, 1800u);
    EXPECT_EQ(r->epoch, 9u);
}

TEST(NatpmpPackets, ParsesDeletion) {
    const auto r = parse_mapping_response(mapping_response(129, 0, 6881, 0, 0), k_from, k_gateway,
                                          Op::map_udp);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->lifetime, 0u);
    EXPECT_EQ(r->external_port, 0);
}

TEST(NatpmpPackets, MappingRefusalKeepsItsCode) {
    const auto r = parse_mapping_response(mapping_response(130, 2, 6881, 0, 0), k_from, k_gateway,
                                          Op::map_tcp);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->result, 2);
    EXPECT_EQ(result_name(r->result), "NotAuthorized");
    EXPECT_EQ(result_name(99), "result code 99");
}

TEST(NatpmpPackets, RefusesMappingResponsesThatAreWrong) {
    // A UDP answer to a TCP request.
    EXPECT_FALSE(parse_mapping_response(mapping_response(129, 0, 6881, 6881, 60), k_from, k_gateway,
                                        Op::map_tcp));
    // A public address answer to a mapping request.
    EXPECT_FALSE(
        parse_mapping_response(public_address_response(0, 1), k_from, k_gateway, Op::map_tcp));
    auto version = mapping_response(130, 0, 6881, 6881, 60);
    version[0] = 2;
    EXPECT_FALSE(parse_mapping_response(version, k_from, k_gateway, Op::map_tcp));
    auto longer = mapping_response(130, 0, 6881, 6881, 60);
    longer.push_back(0);
    EXPECT_FALSE(parse_mapping_response(longer, k_from, k_gateway, Op::map_tcp));
    // Success that maps to port 0, or for internal port 0.
    EXPECT_FALSE(parse_mapping_response(mapping_response(130, 0, 6881, 0, 60), k_from, k_gateway,
                                        Op::map_tcp));
    EXPECT_FALSE(parse_mapping_response(mapping_response(130, 0, 0, 6881, 60), k_from, k_gateway,
                                        Op::map_tcp));
    EXPECT_FALSE(parse_mapping_response(mapping_response(130, 0, 6881, 6881, 60), k_from, k_gateway,
                                        Op::public_address));
}

constexpr const char* k_routes =
    "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n"
    "eth1\t00000000\t016433C6\t0003\t0\t0\t200\t00000000\t0\t0\t0\n"
    "eth0\t00000000\t010200C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n"
    "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
    "eth2\t00000000\t017100CB\t0002\t0\t0\t0\t00000000\t0\t0\t0\n";

TEST(Gateway, LowestMetricDefaultRoute) {
    const auto gateway = default_gateway_in(k_routes, "");
    ASSERT_TRUE(gateway);
    EXPECT_EQ(*gateway, make_address_v4("192.0.2.1"));
}

TEST(Gateway, OnlyTheGivenDevice) {
    const auto gateway = default_gateway_in(k_routes, "eth1");
    ASSERT_TRUE(gateway);
    EXPECT_EQ(*gateway, make_address_v4("198.51.100.1"));
    // eth2's default route is not up.
    EXPECT_FALSE(default_gateway_in(k_routes, "eth2"));
    EXPECT_FALSE(default_gateway_in(k_routes, "eth9"));
}

TEST(Gateway, NoDefaultRouteOrGarbage) {
    EXPECT_FALSE(default_gateway_in("", ""));
    EXPECT_FALSE(
        default_gateway_in("Iface\tDestination\tGateway\n"
                           "eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
                           "eth0\tzz\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"
                           "eth0\t00000000\n",
                           ""));
}

}  // namespace
}  // namespace shoal::port_mapping::natpmp
