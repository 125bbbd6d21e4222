#pragma once
// Which connections are encrypted (Message Stream Encryption with RC4), one setting named the
// same everywhere: the command line, the config file, the desktop client's preferences.
//   prefer   outgoing connections try MSE (offering RC4 and plain text) and fall back to a
//            plain handshake when the peer does not speak it; incoming ones may be either
//   require  MSE with RC4 both ways; plain handshakes and plain-text-only offers are refused
//   disable  plain handshakes only, both ways

#include <optional>
#include <string_view>

namespace shoal {

enum class EncryptionPolicy { prefer, require, disable };

// "prefer", "require" or "disable"; nullopt for anything else.
std::optional<EncryptionPolicy> parse_encryption_policy(std::string_view text);
std::string_view encryption_policy_name(EncryptionPolicy policy);

}  // namespace shoal
