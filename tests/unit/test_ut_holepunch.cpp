// ut_holepunch (BEP 55): the message layout byte for byte, both address families, and payloads
// that must be refused; and the extension handshake naming the extension.

#include <gtest/gtest.h>

#include <string>

#include "wire/extension_handshake.hpp"
#include "wire/ut_holepunch.hpp"

namespace shoal::wire {
namespace {

namespace ip = boost::asio::ip;
using namespace std::string_literals;

ip::tcp::endpoint ep(const char* address, std::uint16_t port) { return {ip::make_address(address), port}; }

TEST(UtHolepunch, EncodesIpv4ByteExact) {
    const HolepunchMessage message{HolepunchType::connect, ep("203.0.113.7", 0x1ae1), HolepunchError::none};
    EXPECT_EQ(encode_holepunch(message), "\x01\x00\xcb\x00\x71\x07\x1a\xe1\x00\x00\x00\x00"s);
}

TEST(UtHolepunch, EncodesIpv6AndTheErrorCode) {
    const HolepunchMessage message{HolepunchType::error, ep("2001:db8::5", 6881), HolepunchError::no_support};
    const auto bytes = encode_holepunch(message);
    ASSERT_EQ(bytes.size(), 24u);
    EXPECT_EQ(bytes.substr(0, 2), "\x02\x01"s);
    EXPECT_EQ(bytes.substr(2, 4), "\x20\x01\x0d\xb8"s);
    EXPECT_EQ(bytes.substr(18, 2), "\x1a\xe1"s);
    EXPECT_EQ(bytes.substr(20), "\x00\x00\x00\x03"s);
}

TEST(UtHolepunch, Ipv4MappedAddressesTravelAsIpv4) {
    const auto bytes = encode_holepunch({HolepunchType::rendezvous, ep("::ffff:198.51.100.9", 80), {}});
    ASSERT_EQ(bytes.size(), 12u);
    auto back = decode_holepunch(bytes);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->endpoint, ep("198.51.100.9", 80));
}

// A peer that sends an IPv4 peer as an IPv4-mapped IPv6 address names that IPv4 peer; read
// so, a message sent back on says the same (the fuzzer found the round trip broken).
TEST(UtHolepunch, Ipv4MappedAddressesReceivedAreIpv4) {
    const std::string bytes = "\x00\x01"s + std::string(10, '\0') + "\xff\xff\xc6\x33\x64\x09"s + "\x00\x50"s;
    auto message = decode_holepunch(bytes);
    ASSERT_TRUE(message) << message.error().message;
    EXPECT_EQ(message->endpoint, ep("198.51.100.9", 80));
    EXPECT_EQ(decode_holepunch(encode_holepunch(*message))->endpoint, message->endpoint);
}

TEST(UtHolepunch, RoundTrips) {
    for (const auto& message :
         {HolepunchMessage{HolepunchType::rendezvous, ep("192.0.2.1", 1), HolepunchError::none},
          HolepunchMessage{HolepunchType::connect, ep("2001:db8::1:2", 65535), HolepunchError::none},
          HolepunchMessage{HolepunchType::error, ep("192.0.2.200", 6881), HolepunchError::not_connected},
          // An error code the BEP does not name is kept, not refused.
          HolepunchMessage{HolepunchType::error, ep("192.0.2.200", 6881), static_cast<HolepunchError>(77)}}) {
        auto back = decode_holepunch(encode_holepunch(message));
        ASSERT_TRUE(back) << back.error().message;
        EXPECT_EQ(*back, message);
    }
}

// libtorrent writes the error code only into error messages.
TEST(UtHolepunch, MessagesWithoutTheErrorCodeAreTaken) {
    auto v4 = decode_holepunch("\x01\x00\xcb\x00\x71\x07\x1a\xe1"s);
    ASSERT_TRUE(v4) << v4.error().message;
    EXPECT_EQ(*v4, (HolepunchMessage{HolepunchType::connect, ep("203.0.113.7", 6881), HolepunchError::none}));
    const auto full = encode_holepunch({HolepunchType::rendezvous, ep("2001:db8::5", 6881), {}});
    auto v6 = decode_holepunch(full.substr(0, 20));
    ASSERT_TRUE(v6) << v6.error().message;
    EXPECT_EQ(v6->endpoint, ep("2001:db8::5", 6881));
}

TEST(UtHolepunch, MalformedPayloadsAreRefused) {
    const auto good = encode_holepunch({HolepunchType::connect, ep("192.0.2.1", 6881), {}});
    EXPECT_FALSE(decode_holepunch(""));
    EXPECT_FALSE(decode_holepunch("\x01"s));
    EXPECT_FALSE(decode_holepunch(good.substr(0, 11)));  // one byte short
    EXPECT_FALSE(decode_holepunch(good.substr(0, 7)));   // no whole port
    EXPECT_FALSE(decode_holepunch(good + "x"));          // one byte long
    std::string ipv6_type = good;
    ipv6_type[1] = 1;  // says IPv6, carries IPv4
    EXPECT_FALSE(decode_holepunch(ipv6_type));
    std::string bad_family = good;
    bad_family[1] = 2;
    EXPECT_FALSE(decode_holepunch(bad_family));
    std::string bad_type = good;
    bad_type[0] = 3;
    EXPECT_FALSE(decode_holepunch(bad_type));
}

TEST(UtHolepunch, ErrorTextsNameTheCause) {
    EXPECT_EQ(holepunch_error_text(HolepunchError::not_connected), "the relay is not connected to that peer");
    EXPECT_EQ(holepunch_error_text(static_cast<HolepunchError>(99)), "unknown error");
}

TEST(UtHolepunch, ExtensionHandshakeNamesItOnlyWhenOn) {
    OurExtensions ours;
    auto without = decode_extension_handshake(encode_extension_handshake(ours));
    ASSERT_TRUE(without);
    EXPECT_EQ(without->ut_holepunch, 0);
    ours.ut_holepunch = true;
    auto with = decode_extension_handshake(encode_extension_handshake(ours));
    ASSERT_TRUE(with);
    EXPECT_EQ(with->ut_holepunch, k_ut_holepunch_id);
    EXPECT_NE(encode_extension_handshake(ours).find("12:ut_holepunchi3e"), std::string::npos);
}

}  // namespace
}  // namespace shoal::wire
