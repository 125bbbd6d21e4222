#include "discovery/dht/tokens.hpp"

#include "crypto/hasher.hpp"

namespace shoal::dht {

TokenIssuer::TokenIssuer(TimePoint now, std::uint64_t seed) : rng_(seed), rotated_at_(now) {
    for (auto& b : current_)
        b = static_cast<std::uint8_t>(rng_());
    // Before the first rotation there is no previous secret; a random one accepts nothing.
    for (auto& b : previous_)
        b = static_cast<std::uint8_t>(rng_());
}

void TokenIssuer::rotate_if_due(TimePoint now) {
    // After a long idle period both secrets are stale: rotate twice at most.
    for (int i = 0; i < 2 && now - rotated_at_ >= k_rotation; ++i) {
        previous_ = current_;
        for (auto& b : current_)
            b = static_cast<std::uint8_t>(rng_());
        rotated_at_ += k_rotation;
    }
    if (now - rotated_at_ >= k_rotation)
        rotated_at_ = now;
}

std::string TokenIssuer::make(const Secret& secret, const Address& ip) const {
    Sha1Hasher hasher;
    hasher.update({secret.data(), secret.size()});
    if (ip.is_v4()) {
        const auto bytes = ip.to_v4().to_bytes();
        hasher.update({bytes.data(), bytes.size()});
    } else {
        const auto bytes = ip.to_v6().to_bytes();
        hasher.update({bytes.data(), bytes.size()});
    }
    return std::string(hasher.final().view().substr(0, k_token_size));
}

std::string TokenIssuer::issue(const Address& ip, TimePoint now) {
    rotate_if_due(now);
    return make(current_, ip);
}

bool TokenIssuer::check(std::string_view token, const Address& ip, TimePoint now) {
    rotate_if_due(now);
    if (token.size() != k_token_size)
        return false;
    return token == make(current_, ip) || token == make(previous_, ip);
}

}  // namespace shoal::dht
