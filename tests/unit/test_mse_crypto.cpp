// Message Stream Encryption's arithmetic: RC4, the Diffie-Hellman exchange and the hashes.
#include <gtest/gtest.h>

#include <string>

#include "encryption/mse_keys.hpp"
#include "encryption/rc4.hpp"
#include "util/encoding.hpp"

namespace shoal::mse {
namespace {

std::string keystream_hex(Rc4& rc4, std::size_t n) {
    std::vector<std::uint8_t> bytes(n, 0);
    rc4.apply(bytes);
    return to_hex(bytes);
}

template <std::size_t N>
std::array<std::uint8_t, N> bytes_of(std::string_view hex) {
    const auto raw = from_hex(hex);
    EXPECT_TRUE(raw && raw->size() == N) << hex;
    std::array<std::uint8_t, N> out{};
    if (raw)
        std::copy_n(raw->begin(), std::min(N, raw->size()), out.begin());
    return out;
}

// RFC 6229, 40-bit key 0x0102030405 and 128-bit key 0x0102...10 (the figures were also
// checked with `openssl enc -rc4[-40] -provider legacy` over zeros).
TEST(Rc4, MatchesRfc6229ForA40BitKey) {
    const std::array<std::uint8_t, 5> key{1, 2, 3, 4, 5};
    Rc4 rc4(key);
    EXPECT_EQ(keystream_hex(rc4, 16), "b2396305f03dc027ccc3524a0a1118a8");
    Rc4 skipping(key);
    skipping.discard(1024);
    EXPECT_EQ(keystream_hex(skipping, 16), "30abbcc7c20b01609f23ee2d5f6bb7df");
}

TEST(Rc4, MatchesRfc6229ForA128BitKeyAtOffsets0And1024And3072) {
    std::array<std::uint8_t, 16> key{};
    for (std::size_t i = 0; i < key.size(); ++i)
        key[i] = static_cast<std::uint8_t>(i + 1);
    Rc4 rc4(key);
    EXPECT_EQ(keystream_hex(rc4, 16), "9ac7cc9a609d1ef7b2932899cde41b97");
    rc4.discard(1024 - 16);
    EXPECT_EQ(keystream_hex(rc4, 16), "bdf0324e6083dcc6d3cedd3ca8c53c16");
    rc4.discard(3072 - 1040);
    EXPECT_EQ(keystream_hex(rc4, 16), "c05d88abd50357f935a63c59ee537623");
}

TEST(Rc4, DecryptsWhatItEncryptedAndWorksOutOfPlace) {
    const std::array<std::uint8_t, 20> key{9, 8, 7};
    const std::string text = "a message that goes both ways";
    std::string cipher(text.size(), '\0');
    Rc4 enc(key);
    enc.apply(reinterpret_cast<const std::uint8_t*>(text.data()),
              reinterpret_cast<std::uint8_t*>(cipher.data()), text.size());
    EXPECT_NE(cipher, text);
    Rc4 dec(key);
    dec.apply({reinterpret_cast<std::uint8_t*>(cipher.data()), cipher.size()});
    EXPECT_EQ(cipher, text);
}

TEST(Rc4, AnyChunkingGivesTheSameKeystream) {
    const std::array<std::uint8_t, 20> key{1, 2, 3, 4, 5, 6, 7};
    std::vector<std::uint8_t> whole(1000, 0);
    Rc4(key).apply(whole);
    for (std::size_t chunk : {1u, 3u, 7u, 8u, 9u, 13u, 64u}) {
        Rc4 rc4(key);
        std::vector<std::uint8_t> pieces(whole.size(), 0);
        for (std::size_t at = 0; at < pieces.size(); at += chunk) {
            rc4.apply(std::span(pieces).subspan(at, std::min(chunk, pieces.size() - at)));
        }
        EXPECT_EQ(pieces, whole) << "chunks of " << chunk;
    }
    Rc4 skipping(key);
    skipping.discard(5);
    std::vector<std::uint8_t> rest(995, 0);
    skipping.apply(rest);
    EXPECT_TRUE(std::equal(rest.begin(), rest.end(), whole.begin() + 5));
}

// The expected values were computed independently with Python 3 (pow() and hashlib):
//   P = <the MSE prime>; xa = bytes(range(1, 21)); xb = bytes(range(0x21, 0x35));
//   skey = b'\xaa' * 20; ya = pow(2, int(xa), P) as 96 big-endian bytes, likewise yb;
//   s = pow(int(yb), int(xa), P) (checked equal to pow(int(ya), int(xb), P));
//   keyA = sha1(b'keyA' + s + skey), keyB likewise, req1 = sha1(b'req1' + s),
//   req2xor3 = sha1(b'req2' + skey) xor sha1(b'req3' + s).
constexpr std::string_view k_ya =
    "96e112dab29e8c5272accb9b17b26887ce54a144a4e3b697c7d159b7a817e556b0918db2b4c658e02a87f7e5fb14b1"
    "8a"
    "553e084cbf3dad2d30f16596ccb982d406258c61b30c5c1dae2ddc60bdbd48d79896312aad63238c39e1a633821eb6"
    "93";
constexpr std::string_view k_yb =
    "8f9c9f400fe9b3258f3e48598a95c7805cc90c995cd770283322679d132ebdae09b75eeadc01de698ef86945cf3831"
    "4a"
    "95fad08c2ad5641802bd5f658eb3ea0db2712c04aa5efed03deecc5104f75d869d2d197e4336c61f0d71d763bee994"
    "16";
constexpr std::string_view k_s =
    "cd8536d5f2c98f01f8f5a648f69f6f2d6a6aafd044666b01fc8beb81f63ddbea0a862b2b6306431f7a308b063f795d"
    "18"
    "1ca711b22ab0602a9c4b5d1c53269837773ff53a4de47d9aace6b6a1b789ea37077507842742eb7581ea180b167488"
    "26";

PrivateKey xa() {
    PrivateKey x{};
    for (std::size_t i = 0; i < x.size(); ++i)
        x[i] = static_cast<std::uint8_t>(i + 1);
    return x;
}
PrivateKey xb() {
    PrivateKey x{};
    for (std::size_t i = 0; i < x.size(); ++i)
        x[i] = static_cast<std::uint8_t>(0x21 + i);
    return x;
}
StreamKey skey() {
    StreamKey k{};
    k.fill(0xaa);
    return k;
}

TEST(MseKeys, PublicKeysAreTwoToThePrivateKeyModP) {
    EXPECT_EQ(to_hex(public_key(xa())), k_ya);
    EXPECT_EQ(to_hex(public_key(xb())), k_yb);
}

TEST(MseKeys, BothSidesComputeTheSameSecret) {
    const auto from_a = shared_secret(xa(), bytes_of<96>(k_yb));
    const auto from_b = shared_secret(xb(), bytes_of<96>(k_ya));
    ASSERT_TRUE(from_a && from_b);
    EXPECT_EQ(to_hex(*from_a), k_s);
    EXPECT_EQ(to_hex(*from_b), k_s);
}

TEST(MseKeys, DerivedKeysAndHashesMatchTheIndependentComputation) {
    const SharedSecret s = bytes_of<96>(k_s);
    EXPECT_EQ(key_a(s, skey()).hex(), "2728d4e3c6ce40c04c6a0e8840c4c3585efa66b5");
    EXPECT_EQ(key_b(s, skey()).hex(), "fc9d9cdf956d0a9e9672dd31fe9dd5f92987ee8c");
    EXPECT_EQ(req1(s).hex(), "361e3668027ecec9d1086d5f839d191781e8de17");
    EXPECT_EQ(req2_xor_req3(s, skey()).hex(), "ff86a5c7383cb12b4912f17768e0688bd072e568");
}

TEST(MseKeys, RefusesDegeneratePublicKeys) {
    PublicKey zero{};
    EXPECT_FALSE(shared_secret(xa(), zero));
    PublicKey one{};
    one.back() = 1;
    EXPECT_FALSE(shared_secret(xa(), one));
    PublicKey all_ones{};  // beyond P
    all_ones.fill(0xff);
    EXPECT_FALSE(shared_secret(xa(), all_ones));
    PublicKey two{};
    two.back() = 2;
    EXPECT_TRUE(shared_secret(xa(), two));
}

TEST(MseKeys, RandomPrivateKeysDiffer) {
    EXPECT_NE(random_private_key(), random_private_key());
}

}  // namespace
}  // namespace shoal::mse
