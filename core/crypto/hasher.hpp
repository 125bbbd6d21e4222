#pragma once
// SHA-1 and SHA-256 over OpenSSL EVP (which uses SHA-NI where the CPU has it).

#include <memory>
#include <span>
#include <string_view>

#include "crypto/digest.hpp"

namespace shoal {

namespace detail {
struct EvpContextDeleter {
    void operator()(void* ctx) const;
};
using EvpContext = std::unique_ptr<void, EvpContextDeleter>;
}  // namespace detail

// One incremental hasher; `Hash` picks the algorithm. Reusable after `final()`.
template <class Hash>
class Hasher {
public:
    Hasher();
    Hasher& update(std::span<const std::uint8_t> data);
    Hasher& update(std::string_view data) {
        return update({reinterpret_cast<const std::uint8_t*>(data.data()), data.size()});
    }
    Hash final();

private:
    detail::EvpContext ctx_;
};

using Sha1Hasher = Hasher<Sha1Hash>;
using Sha256Hasher = Hasher<Sha256Hash>;

inline Sha1Hash sha1(std::string_view data) { return Sha1Hasher().update(data).final(); }
inline Sha256Hash sha256(std::string_view data) { return Sha256Hasher().update(data).final(); }

}  // namespace shoal
