#include "encryption/encryption_policy.hpp"

namespace shoal {

std::optional<EncryptionPolicy> parse_encryption_policy(std::string_view text) {
    if (text == "prefer")
        return EncryptionPolicy::prefer;
    if (text == "require")
        return EncryptionPolicy::require;
    if (text == "disable")
        return EncryptionPolicy::disable;
    return std::nullopt;
}

std::string_view encryption_policy_name(EncryptionPolicy policy) {
    switch (policy) {
        case EncryptionPolicy::prefer:
            return "prefer";
        case EncryptionPolicy::require:
            return "require";
        case EncryptionPolicy::disable:
            return "disable";
    }
    return "prefer";
}

}  // namespace shoal
