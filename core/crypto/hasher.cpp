#include "crypto/hasher.hpp"

#include <openssl/evp.h>

#include <new>
#include <type_traits>

namespace shoal {
namespace detail {
void EvpContextDeleter::operator()(void* ctx) const {
    EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx));
}
}  // namespace detail

namespace {

template <class Hash>
const EVP_MD* algorithm() {
    // Fetched once: EVP_get_digestbyname-style lookups on every hasher would dominate
    // the cost of hashing small blocks.
    if constexpr (std::is_same_v<Hash, Sha1Hash>) {
        static const EVP_MD* md = EVP_MD_fetch(nullptr, "SHA1", nullptr);
        return md;
    } else {
        static const EVP_MD* md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
        return md;
    }
}

EVP_MD_CTX* ctx_of(const detail::EvpContext& p) { return static_cast<EVP_MD_CTX*>(p.get()); }

}  // namespace

template <class Hash>
Hasher<Hash>::Hasher() : ctx_(EVP_MD_CTX_new()) {
    if (!ctx_ || !algorithm<Hash>()) throw std::bad_alloc();
    EVP_DigestInit_ex2(ctx_of(ctx_), algorithm<Hash>(), nullptr);
}

template <class Hash>
Hasher<Hash>& Hasher<Hash>::update(std::span<const std::uint8_t> data) {
    EVP_DigestUpdate(ctx_of(ctx_), data.data(), data.size());
    return *this;
}

template <class Hash>
Hash Hasher<Hash>::final() {
    Hash out;
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx_of(ctx_), out.bytes.data(), &len);
    EVP_DigestInit_ex2(ctx_of(ctx_), algorithm<Hash>(), nullptr);
    return out;
}

template class Hasher<Sha1Hash>;
template class Hasher<Sha256Hash>;

}  // namespace shoal
