#include "encryption/rc4.hpp"

#include <utility>

namespace shoal::mse {

Rc4::Rc4(std::span<const std::uint8_t> key) {
    for (std::size_t k = 0; k < 256; ++k)
        s_[k] = static_cast<std::uint8_t>(k);
    std::uint8_t j = 0;
    for (std::size_t k = 0; k < 256; ++k) {
        j = static_cast<std::uint8_t>(j + s_[k] + key[k % key.size()]);
        std::swap(s_[k], s_[j]);
    }
}

void Rc4::discard(std::size_t n) {
    std::uint8_t i = i_, j = j_;
    for (; n > 0; --n) {
        i = static_cast<std::uint8_t>(i + 1);
        j = static_cast<std::uint8_t>(j + s_[i]);
        std::swap(s_[i], s_[j]);
    }
    i_ = i;
    j_ = j;
}

void Rc4::apply(const std::uint8_t* in, std::uint8_t* out, std::size_t n) {
    std::uint8_t i = i_, j = j_;
    for (std::size_t k = 0; k < n; ++k) {
        i = static_cast<std::uint8_t>(i + 1);
        const std::uint8_t si = s_[i];
        j = static_cast<std::uint8_t>(j + si);
        const std::uint8_t sj = s_[j];
        s_[i] = sj;
        s_[j] = si;
        out[k] = in[k] ^ s_[static_cast<std::uint8_t>(si + sj)];
    }
    i_ = i;
    j_ = j;
}

}  // namespace shoal::mse
