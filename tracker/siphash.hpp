#pragma once
// SipHash-2-4 (Aumasson and Bernstein, 2012): a keyed pseudo-random function built for short
// inputs, here the MAC of UDP connection ids, where HMAC-SHA256 cost a tenth of a request.

#include <array>
#include <cstdint>
#include <span>

namespace shoal::tracker {

using SipKey = std::array<std::uint8_t, 16>;

std::uint64_t siphash24(const SipKey& key, std::span<const std::uint8_t> message);

}  // namespace shoal::tracker
