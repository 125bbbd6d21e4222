#pragma once
// BEP 6's allowed fast set: the pieces a peer may have from us while choked, derived from its
// IPv4 address (its /24) and the info-hash so that every client offers it the same ones.

#include <array>
#include <cstdint>
#include <vector>

namespace shoal::wire {

// Up to `k` distinct piece indices (fewer when the torrent has fewer pieces).
std::vector<std::uint32_t> allowed_fast_set(std::uint32_t ipv4, const std::array<std::uint8_t, 20>& info_hash,
                                            std::uint32_t num_pieces, std::size_t k);

}  // namespace shoal::wire
