#include "daemon/password_hash.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <charconv>
#include <stdexcept>

#include "daemon/base64.hpp"

namespace shoal::daemon {
namespace {

constexpr std::string_view k_scheme = "pbkdf2-sha256$";
constexpr std::size_t k_salt_bytes = 16;
constexpr std::size_t k_hash_bytes = 32;
// Bounds on what a config file may ask each request to cost, and on its salt.
constexpr unsigned k_min_iterations = 1'000;
constexpr unsigned k_max_iterations = 1'000'000;
constexpr std::size_t k_min_salt_bytes = 8;
constexpr std::size_t k_max_salt_bytes = 64;

std::string derive(std::string_view password, const std::string& salt, unsigned iterations) {
    std::string out(k_hash_bytes, '\0');
    const int ok = PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                                     reinterpret_cast<const unsigned char*>(salt.data()), static_cast<int>(salt.size()),
                                     static_cast<int>(iterations), EVP_sha256(), static_cast<int>(out.size()),
                                     reinterpret_cast<unsigned char*>(out.data()));
    if (ok != 1) throw std::runtime_error("cannot hash the RPC password (PBKDF2 failed)");
    return out;
}

}  // namespace

bool looks_like_password_hash(std::string_view text) { return text.starts_with(k_scheme); }

PasswordHash hash_password(std::string_view password, unsigned iterations) {
    PasswordHash h;
    h.iterations = iterations;
    h.salt.resize(k_salt_bytes);
    if (RAND_bytes(reinterpret_cast<unsigned char*>(h.salt.data()), static_cast<int>(h.salt.size())) != 1) {
        throw std::runtime_error("no random bytes for the password's salt");
    }
    h.hash = derive(password, h.salt, iterations);
    return h;
}

Result<PasswordHash> parse_password_hash(std::string_view text) {
    const auto bad = [](const std::string& why) {
        return make_error(ErrorCode::invalid_input,
                          "rpc_password is not a valid hash (" + why + "; want pbkdf2-sha256$ITERATIONS$SALT$HASH)");
    };
    if (!looks_like_password_hash(text)) return bad("it does not start with pbkdf2-sha256$");
    std::string_view rest = text.substr(k_scheme.size());
    const auto first = rest.find('$');
    const auto second = first == std::string_view::npos ? first : rest.find('$', first + 1);
    if (second == std::string_view::npos || rest.find('$', second + 1) != std::string_view::npos) {
        return bad("it does not have four parts");
    }
    const std::string_view digits = rest.substr(0, first);
    PasswordHash h;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), h.iterations);
    if (digits.empty() || ec != std::errc() || end != digits.data() + digits.size() ||
        h.iterations < k_min_iterations || h.iterations > k_max_iterations) {
        return bad("the iteration count is not a number from " + std::to_string(k_min_iterations) + " to " +
                   std::to_string(k_max_iterations));
    }
    const auto salt = from_base64(rest.substr(first + 1, second - first - 1));
    if (!salt || salt->size() < k_min_salt_bytes || salt->size() > k_max_salt_bytes) {
        return bad("the salt is not base64 of 8 to 64 bytes");
    }
    const auto hash = from_base64(rest.substr(second + 1));
    if (!hash || hash->size() != k_hash_bytes) return bad("the hash is not base64 of 32 bytes");
    h.salt = *salt;
    h.hash = *hash;
    return h;
}

std::string to_text(const PasswordHash& h) {
    return std::string(k_scheme) + std::to_string(h.iterations) + "$" + to_base64(h.salt) + "$" + to_base64(h.hash);
}

Result<PasswordHash> password_hash_of(std::string_view plain_or_hashed) {
    if (looks_like_password_hash(plain_or_hashed)) return parse_password_hash(plain_or_hashed);
    return hash_password(plain_or_hashed);
}

bool verify_password(const PasswordHash& h, std::string_view password) {
    if (h.hash.size() != k_hash_bytes) return false;
    const std::string candidate = derive(password, h.salt, h.iterations);
    return CRYPTO_memcmp(candidate.data(), h.hash.data(), k_hash_bytes) == 0;
}

}  // namespace shoal::daemon
