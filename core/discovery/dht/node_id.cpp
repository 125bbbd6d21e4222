#include "discovery/dht/node_id.hpp"

#include <bit>

namespace shoal::dht {

int common_prefix_bits(const NodeId& a, const NodeId& b) {
    for (std::size_t i = 0; i < NodeId::size; ++i) {
        const auto x = static_cast<std::uint8_t>(a.bytes[i] ^ b.bytes[i]);
        if (x != 0)
            return static_cast<int>(i * 8) + std::countl_zero(x);
    }
    return 160;
}

NodeId random_node_id(std::mt19937_64& rng) {
    NodeId id;
    for (auto& b : id.bytes)
        b = static_cast<std::uint8_t>(rng());
    return id;
}

NodeId random_id_in_bucket(const NodeId& base, int prefix_bits, std::mt19937_64& rng) {
    NodeId id = random_node_id(rng);
    if (prefix_bits >= 160)
        return base;
    for (int bit = 0; bit <= prefix_bits; ++bit) {
        const auto byte = static_cast<std::size_t>(bit / 8);
        const auto mask = static_cast<std::uint8_t>(0x80u >> (bit % 8));
        const bool base_bit = (base.bytes[byte] & mask) != 0;
        // Copy the shared prefix, then flip the first bit after it.
        const bool want = bit < prefix_bits ? base_bit : !base_bit;
        if (want)
            id.bytes[byte] |= mask;
        else
            id.bytes[byte] &= static_cast<std::uint8_t>(~mask);
    }
    return id;
}

}  // namespace shoal::dht
