#pragma once
// The RPC password as it is kept: salted PBKDF2-HMAC-SHA256, written
// `pbkdf2-sha256$ITERATIONS$SALT_BASE64$HASH_BASE64`, so a config file need not hold it plain.

#include <string>
#include <string_view>

#include "util/result.hpp"

namespace shoal::daemon {

// About 5 ms a check, paid by the first request with the right credentials (then remembered:
// AcceptedCredentials) and by every request with wrong ones.
inline constexpr unsigned k_password_iterations = 10'000;

struct PasswordHash {
    unsigned iterations = 0;
    std::string salt;
    std::string hash;  // 32 bytes
};

// True when the text is meant as a hash (it starts with "pbkdf2-sha256$"), well-formed or not.
bool looks_like_password_hash(std::string_view text);

// With a fresh random 16-byte salt.
PasswordHash hash_password(std::string_view password, unsigned iterations = k_password_iterations);

// A message saying what is wrong with the text.
Result<PasswordHash> parse_password_hash(std::string_view text);
std::string to_text(const PasswordHash& hash);

// The hash a setting gives: parsed when it looks like one, else made from the plain password.
Result<PasswordHash> password_hash_of(std::string_view plain_or_hashed);

// In time that does not depend on where the password differs.
bool verify_password(const PasswordHash& hash, std::string_view password);

}  // namespace shoal::daemon
