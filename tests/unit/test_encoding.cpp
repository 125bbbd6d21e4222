// Hex and base32 against RFC 4648's test vectors and hand-checked edge cases.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "util/encoding.hpp"

namespace shoal {
namespace {

std::vector<std::uint8_t> bytes_of(std::string_view s) {
    return {s.begin(), s.end()};
}

TEST(Hex, EncodesLowercase) {
    const std::vector<std::uint8_t> in = {0x00, 0x01, 0x7f, 0x80, 0xab, 0xff};
    EXPECT_EQ(to_hex(in), "00017f80abff");
    EXPECT_EQ(to_hex({}), "");
}

TEST(Hex, DecodesEitherCase) {
    const std::vector<std::uint8_t> expected = {0xde, 0xad, 0xbe, 0xef};
    EXPECT_EQ(from_hex("deadbeef"), expected);
    EXPECT_EQ(from_hex("DEADBEEF"), expected);
    EXPECT_EQ(from_hex("DeAdBeEf"), expected);
    EXPECT_EQ(from_hex(""), std::vector<std::uint8_t>{});
}

TEST(Hex, RefusesOddLengthAndNonDigits) {
    EXPECT_FALSE(from_hex("abc"));
    EXPECT_FALSE(from_hex("0g"));
    EXPECT_FALSE(from_hex("g0"));
    EXPECT_FALSE(from_hex("0 "));
    EXPECT_FALSE(from_hex("+1"));
    EXPECT_FALSE(from_hex(std::string("0\0", 2)));
}

TEST(Hex, RoundTripsEveryByte) {
    std::vector<std::uint8_t> all(256);
    for (int i = 0; i < 256; ++i)
        all[i] = static_cast<std::uint8_t>(i);
    EXPECT_EQ(from_hex(to_hex(all)), all);
}

// RFC 4648 section 10, without the '=' padding (magnet links omit it).
TEST(Base32, Rfc4648Vectors) {
    const std::pair<const char*, const char*> vectors[] = {
        {"", ""},
        {"f", "MY"},
        {"fo", "MZXQ"},
        {"foo", "MZXW6"},
        {"foob", "MZXW6YQ"},
        {"fooba", "MZXW6YTB"},
        {"foobar", "MZXW6YTBOI"},
    };
    for (const auto& [plain, encoded] : vectors) {
        EXPECT_EQ(to_base32(bytes_of(plain)), encoded) << plain;
        EXPECT_EQ(from_base32(encoded), bytes_of(plain)) << encoded;
    }
}

TEST(Base32, InfoHashMatchesPythonBase64) {
    // base64.b32encode(bytes.fromhex("c0fd...d10e")) in Python.
    const auto raw = from_hex("c0fda1edafdbdbb96443424e0b3899af7159d10e");
    ASSERT_TRUE(raw);
    EXPECT_EQ(to_base32(*raw), "YD62D3NP3PN3SZCDIJHAWOEZV5YVTUIO");
    EXPECT_EQ(from_base32("yd62d3np3pn3szcdijhawoezv5yvtuio"), raw);
}

TEST(Base32, RefusesBadInput) {
    EXPECT_FALSE(from_base32("MZXW1"));      // '1' is not in the alphabet
    EXPECT_FALSE(from_base32("MZXW8"));      // nor is '8'
    EXPECT_FALSE(from_base32("MY======"));   // padding is not accepted
    EXPECT_FALSE(from_base32("M"));          // 5 bits cannot make a byte
    EXPECT_FALSE(from_base32("MZ"));         // non-zero trailing bits: not a canonical encoding
    EXPECT_FALSE(from_base32("MZXW6YTBO"));  // 45 bits: 5 left over
}

TEST(Base32, RoundTripsManyLengths) {
    std::vector<std::uint8_t> data;
    for (int n = 0; n < 64; ++n) {
        EXPECT_EQ(from_base32(to_base32(data)), data) << n;
        data.push_back(static_cast<std::uint8_t>(n * 37 + 11));
    }
}

}  // namespace
}  // namespace shoal
