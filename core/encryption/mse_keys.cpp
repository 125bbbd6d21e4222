#include "encryption/mse_keys.hpp"

#include <openssl/bn.h>
#include <openssl/rand.h>

#include <memory>
#include <stdexcept>
#include <string_view>

#include "crypto/hasher.hpp"

namespace shoal::mse {

namespace {

// The MSE prime: 768 bits.
constexpr const char* k_prime_hex =
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404"
    "DDEF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A63A3621000000000009"
    "0563";

struct BnDeleter {
    void operator()(BIGNUM* bn) const { BN_clear_free(bn); }
};
struct BnCtxDeleter {
    void operator()(BN_CTX* ctx) const { BN_CTX_free(ctx); }
};
using Bn = std::unique_ptr<BIGNUM, BnDeleter>;
using BnCtx = std::unique_ptr<BN_CTX, BnCtxDeleter>;

Bn checked(BIGNUM* bn) {
    if (!bn)
        throw std::bad_alloc();
    return Bn(bn);
}

const BIGNUM* prime() {
    static const BIGNUM* p = [] {
        BIGNUM* bn = nullptr;
        if (BN_hex2bn(&bn, k_prime_hex) == 0)
            throw std::runtime_error("the MSE prime does not parse");
        return bn;
    }();
    return p;
}

Bn from_bytes(std::span<const std::uint8_t> bytes) {
    return checked(BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), nullptr));
}

std::array<std::uint8_t, k_key_size> to_bytes(const BIGNUM* bn) {
    std::array<std::uint8_t, k_key_size> out{};
    if (BN_bn2binpad(bn, out.data(), static_cast<int>(out.size())) < 0) {
        throw std::runtime_error("an MSE key does not fit 96 bytes");
    }
    return out;
}

// base^exponent mod P.
std::array<std::uint8_t, k_key_size> power(const BIGNUM* base, const PrivateKey& exponent) {
    BnCtx ctx(BN_CTX_new());
    if (!ctx)
        throw std::bad_alloc();
    const Bn x = from_bytes(exponent);
    Bn result = checked(BN_new());
    if (BN_mod_exp(result.get(), base, x.get(), prime(), ctx.get()) != 1) {
        throw std::runtime_error("BN_mod_exp failed");
    }
    return to_bytes(result.get());
}

Sha1Hash hash_of(std::string_view label, std::span<const std::uint8_t> a,
                 std::span<const std::uint8_t> b = {}) {
    Sha1Hasher h;
    h.update(label);
    h.update(a);
    if (!b.empty())
        h.update(b);
    return h.final();
}

}  // namespace

PrivateKey random_private_key() {
    PrivateKey x{};
    if (RAND_bytes(x.data(), static_cast<int>(x.size())) != 1) {
        throw std::runtime_error("OpenSSL's RAND_bytes failed");
    }
    return x;
}

PublicKey public_key(const PrivateKey& x) {
    const Bn two = checked(BN_new());
    BN_set_word(two.get(), 2);
    return power(two.get(), x);
}

Result<SharedSecret> shared_secret(const PrivateKey& ours, const PublicKey& theirs) {
    const Bn y = from_bytes(theirs);
    // 0, 1 and P-1 (and anything at or beyond P) would make S guessable or meaningless.
    Bn limit = checked(BN_dup(prime()));
    BN_sub_word(limit.get(), 1);
    if (BN_cmp(y.get(), BN_value_one()) <= 0 || BN_cmp(y.get(), limit.get()) >= 0) {
        return make_error(ErrorCode::invalid_input,
                          "an encryption handshake with an invalid public key");
    }
    return power(y.get(), ours);
}

Sha1Hash key_a(const SharedSecret& s, const StreamKey& skey) {
    return hash_of("keyA", s, skey);
}
Sha1Hash key_b(const SharedSecret& s, const StreamKey& skey) {
    return hash_of("keyB", s, skey);
}
Sha1Hash req1(const SharedSecret& s) {
    return hash_of("req1", s);
}
Sha1Hash req2(const StreamKey& skey) {
    return hash_of("req2", skey);
}
Sha1Hash req3(const SharedSecret& s) {
    return hash_of("req3", s);
}

Sha1Hash req2_xor_req3(const SharedSecret& s, const StreamKey& skey) {
    Sha1Hash out = req2(skey);
    const Sha1Hash three = req3(s);
    for (std::size_t i = 0; i < out.bytes.size(); ++i)
        out.bytes[i] ^= three.bytes[i];
    return out;
}

}  // namespace shoal::mse
