#pragma once
// The arithmetic of Message Stream Encryption: the 768-bit Diffie-Hellman exchange (the
// protocol's prime P, generator 2, 160-bit private keys) and the hashes derived from the
// shared secret S and the stream key SKEY (a torrent's 20-byte info-hash).

#include <array>
#include <cstdint>
#include <span>

#include "crypto/digest.hpp"
#include "util/result.hpp"

namespace shoal::mse {

inline constexpr std::size_t k_key_size = 96;      // a public key or S, big-endian
inline constexpr std::size_t k_private_size = 20;  // 160 bits
using PublicKey = std::array<std::uint8_t, k_key_size>;
using SharedSecret = std::array<std::uint8_t, k_key_size>;
using PrivateKey = std::array<std::uint8_t, k_private_size>;
using StreamKey = std::array<std::uint8_t, 20>;  // SKEY

// A fresh private key from OpenSSL's RAND.
PrivateKey random_private_key();
// 2^x mod P, left-padded to 96 bytes.
PublicKey public_key(const PrivateKey& x);
// Their public key to our private key's power, mod P. A key outside [2, P-2] is refused.
Result<SharedSecret> shared_secret(const PrivateKey& ours, const PublicKey& theirs);

// SHA1('keyA' + S + SKEY): the initiator's sending key; key_b the receiver's.
Sha1Hash key_a(const SharedSecret& s, const StreamKey& skey);
Sha1Hash key_b(const SharedSecret& s, const StreamKey& skey);
// HASH('req1', S): what the receiver synchronises on.
Sha1Hash req1(const SharedSecret& s);
// HASH('req2', SKEY): names the torrent without revealing it.
Sha1Hash req2(const StreamKey& skey);
// HASH('req2', SKEY) xor HASH('req3', S): what the initiator sends.
Sha1Hash req2_xor_req3(const SharedSecret& s, const StreamKey& skey);
// HASH('req3', S), to undo the xor on the receiving side.
Sha1Hash req3(const SharedSecret& s);

}  // namespace shoal::mse
