#include "encryption/rc4.hpp"

#include <bit>
#include <cstring>
#include <utility>

namespace shoal::mse {

namespace {

// One keystream byte: the RC4 generation step on state `s` with counters `i`, `j`.
inline std::uint32_t next_byte(std::uint32_t* s, std::uint32_t& i, std::uint32_t& j) {
    i = (i + 1) & 0xff;
    const std::uint32_t si = s[i];
    j = (j + si) & 0xff;
    const std::uint32_t sj = s[j];
    s[i] = sj;
    s[j] = si;
    return s[(si + sj) & 0xff];
}

}  // namespace

Rc4::Rc4(std::span<const std::uint8_t> key) {
    for (std::uint32_t k = 0; k < 256; ++k)
        s_[k] = k;
    std::uint32_t j = 0;
    for (std::size_t k = 0; k < 256; ++k) {
        j = (j + s_[k] + key[k % key.size()]) & 0xff;
        std::swap(s_[k], s_[j]);
    }
}

void Rc4::discard(std::size_t n) {
    std::uint32_t i = i_, j = j_;
    for (; n > 0; --n)
        next_byte(s_.data(), i, j);
    i_ = i;
    j_ = j;
}

void Rc4::apply(const std::uint8_t* in, std::uint8_t* out, std::size_t n) {
    std::uint32_t i = i_, j = j_;
    std::uint32_t* s = s_.data();
    std::size_t k = 0;
    // Eight keystream bytes gathered into one word and XORed at once (little-endian order,
    // so byte b of the word is keystream byte b; elsewhere the byte loop does it all).
    for (; k + 8 <= n && std::endian::native == std::endian::little; k += 8) {
        std::uint64_t stream = 0;
        for (int b = 0; b < 8; ++b)
            stream |= static_cast<std::uint64_t>(next_byte(s, i, j)) << (8 * b);
        std::uint64_t word;
        std::memcpy(&word, in + k, 8);
        word ^= stream;
        std::memcpy(out + k, &word, 8);
    }
    for (; k < n; ++k)
        out[k] = static_cast<std::uint8_t>(in[k] ^ next_byte(s, i, j));
    i_ = i;
    j_ = j;
}

}  // namespace shoal::mse
