#pragma once
// announce_peer tokens (BEP 5): a hash of the requester's IP and a secret that rotates every
// five minutes; a token from the previous secret is still accepted, so tokens live 5-10 min.

#include <array>
#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>

#include "discovery/dht/node_id.hpp"

namespace shoal::dht {

class TokenIssuer {
  public:
    static constexpr auto k_rotation = std::chrono::minutes(5);
    static constexpr std::size_t k_token_size = 8;

    TokenIssuer(TimePoint now, std::uint64_t seed);

    // The token to hand to a get_peers querier at `ip`.
    std::string issue(const Address& ip, TimePoint now);
    // True when `token` was issued to `ip` under the current or the previous secret.
    bool check(std::string_view token, const Address& ip, TimePoint now);

  private:
    using Secret = std::array<std::uint8_t, 16>;
    void rotate_if_due(TimePoint now);
    std::string make(const Secret& secret, const Address& ip) const;

    std::mt19937_64 rng_;
    Secret current_{};
    Secret previous_{};
    TimePoint rotated_at_;
};

}  // namespace shoal::dht
