#include "encryption/rc4.hpp"

// The low-level RC4 functions are deprecated in OpenSSL 3 (see rc4.hpp for why they are used).
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/rc4.h>

#include <algorithm>

namespace shoal::mse {

struct Rc4::Key {
    RC4_KEY key;
};

Rc4::Rc4(std::span<const std::uint8_t> key) : key_(std::make_unique<Key>()) {
    RC4_set_key(&key_->key, static_cast<int>(key.size()), key.data());
}

Rc4::Rc4(Rc4&&) noexcept = default;
Rc4& Rc4::operator=(Rc4&&) noexcept = default;
Rc4::~Rc4() = default;

void Rc4::discard(std::size_t n) {
    std::uint8_t scratch[256] = {};
    while (n > 0) {
        const std::size_t step = std::min(n, sizeof scratch);
        RC4(&key_->key, step, scratch, scratch);
        n -= step;
    }
}

void Rc4::apply(const std::uint8_t* in, std::uint8_t* out, std::size_t n) {
    if (n > 0) RC4(&key_->key, n, in, out);
}

}  // namespace shoal::mse
