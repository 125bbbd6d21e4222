// SHA-1 and SHA-256 against published vectors (FIPS 180 examples), incremental use, and the
// strong digest types.

#include <gtest/gtest.h>

#include <string>

#include "crypto/hasher.hpp"

namespace shoal {
namespace {

const std::string k_448_bits = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
const std::string k_fox = "The quick brown fox jumps over the lazy dog";

TEST(Sha1, KnownVectors) {
    EXPECT_EQ(sha1("").hex(), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    EXPECT_EQ(sha1("abc").hex(), "a9993e364706816aba3e25717850c26c9cd0d89d");
    EXPECT_EQ(sha1(k_448_bits).hex(), "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    EXPECT_EQ(sha1(k_fox).hex(), "2fd4e1c67a2d28fced849ee1bb76e7391b93eb12");
}

TEST(Sha256, KnownVectors) {
    EXPECT_EQ(sha256("").hex(), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(sha256("abc").hex(),
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(sha256(k_448_bits).hex(),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    EXPECT_EQ(sha256(k_fox).hex(),
              "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592");
}

TEST(Hasher, MillionAInPieces) {
    const std::string chunk(1000, 'a');
    Sha1Hasher h1;
    Sha256Hasher h256;
    for (int i = 0; i < 1000; ++i) {
        h1.update(chunk);
        h256.update(chunk);
    }
    EXPECT_EQ(h1.final().hex(), "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
    EXPECT_EQ(h256.final().hex(),
              "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Hasher, IncrementalEqualsOneShotAtEverySplit) {
    for (std::size_t split = 0; split <= k_448_bits.size(); ++split) {
        Sha256Hasher h;
        h.update(std::string_view(k_448_bits).substr(0, split));
        h.update(std::string_view(k_448_bits).substr(split));
        EXPECT_EQ(h.final(), sha256(k_448_bits)) << split;
    }
}

TEST(Hasher, ReusableAfterFinal) {
    Sha1Hasher h;
    h.update("garbage that must not leak into the next digest");
    (void)h.final();
    EXPECT_EQ(h.update("abc").final().hex(), "a9993e364706816aba3e25717850c26c9cd0d89d");
    EXPECT_EQ(h.final().hex(), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
}

TEST(Hasher, BinaryInput) {
    const std::string zeros(64, '\0');
    // hashlib.sha256(bytes(64)).hexdigest()
    EXPECT_EQ(sha256(zeros).hex(),
              "f5a5fd42d16a20302798ef6ed309979b43003d2320d9f0e8ea9831a92759fb4b");
}

TEST(Digest, FromHexAndBytes) {
    const auto h = Sha1Hash::from_hex("A9993E364706816ABA3E25717850C26C9CD0D89D");
    ASSERT_TRUE(h);
    EXPECT_EQ(*h, sha1("abc"));
    EXPECT_FALSE(Sha1Hash::from_hex("a9993e"));
    EXPECT_FALSE(Sha1Hash::from_hex(std::string(40, 'z')));
    EXPECT_FALSE(Sha256Hash::from_hex("a9993e364706816aba3e25717850c26c9cd0d89d"));
    EXPECT_TRUE(Sha1Hash::from_bytes(std::string(20, 'x')));
    EXPECT_FALSE(Sha1Hash::from_bytes(std::string(19, 'x')));
    EXPECT_FALSE(Sha1Hash::from_bytes(std::string(21, 'x')));
    EXPECT_EQ(Sha1Hash::from_bytes(sha1("abc").view()), sha1("abc"));
}

TEST(Digest, ZeroAndOrder) {
    EXPECT_TRUE(Sha256Hash{}.is_zero());
    EXPECT_FALSE(sha256("").is_zero());
    auto low = *Sha1Hash::from_hex("00000000000000000000000000000000000000ff");
    auto high = *Sha1Hash::from_hex("0100000000000000000000000000000000000000");
    EXPECT_LT(low, high);
}

}  // namespace
}  // namespace shoal
