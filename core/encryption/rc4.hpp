#pragma once
// RC4, the stream cipher of Message Stream Encryption. Written here rather than taken from
// OpenSSL, where RC4 lives in the legacy provider that would have to be loaded for it.
// MSE discards the first 1024 bytes of each keystream; the caller does that with discard().

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

namespace shoal::mse {

class Rc4 {
  public:
    explicit Rc4(std::span<const std::uint8_t> key);

    // Advances the keystream by `n` bytes.
    void discard(std::size_t n);
    // XORs the keystream into `data`.
    void apply(std::span<std::uint8_t> data) { apply(data.data(), data.data(), data.size()); }
    // XORs the keystream into `n` bytes of `in`, written to `out` (which may be `in`).
    void apply(const std::uint8_t* in, std::uint8_t* out, std::size_t n);

  private:
    // 32-bit entries holding byte values: faster on x86-64 than a byte table (no partial
    // register writes), as OpenSSL's C RC4 does too.
    std::array<std::uint32_t, 256> s_{};
    std::uint32_t i_ = 0;
    std::uint32_t j_ = 0;
};

}  // namespace shoal::mse
