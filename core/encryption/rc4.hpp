#pragma once
// RC4, the stream cipher of Message Stream Encryption, run by libcrypto's low-level RC4
// functions: OpenSSL 3 deprecates them but keeps them in libcrypto itself, with its assembly
// implementation (about 1.6 times a portable C loop here), where the EVP interface would need
// the legacy provider loaded. MSE discards the first 1024 bytes of each keystream; the caller
// does that with discard().

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace shoal::mse {

class Rc4 {
  public:
    explicit Rc4(std::span<const std::uint8_t> key);
    Rc4(Rc4&&) noexcept;
    Rc4& operator=(Rc4&&) noexcept;
    ~Rc4();

    // Advances the keystream by `n` bytes.
    void discard(std::size_t n);
    // XORs the keystream into `data`.
    void apply(std::span<std::uint8_t> data) { apply(data.data(), data.data(), data.size()); }
    // XORs the keystream into `n` bytes of `in`, written to `out` (which may be `in`).
    void apply(const std::uint8_t* in, std::uint8_t* out, std::size_t n);

  private:
    struct Key;  // OpenSSL's RC4_KEY, kept out of this header
    std::unique_ptr<Key> key_;
};

}  // namespace shoal::mse
