#pragma once
// BEP 52 merkle trees: SHA-256 over 16 KiB leaves, padded with zero hashes to a power of two.

#include <cstdint>
#include <span>
#include <vector>

#include "crypto/digest.hpp"

namespace shoal {

constexpr std::int64_t k_merkle_block_size = 16 * 1024;

// The root of a tree whose leaves are `nodes` followed by `pad` up to `width` leaves
// (`width` a power of two ≥ nodes.size(); 0 means the next power of two).
Sha256Hash merkle_root(std::span<const Sha256Hash> nodes, const Sha256Hash& pad,
                       std::size_t width = 0);

// The parent of two sibling nodes.
Sha256Hash merkle_parent(const Sha256Hash& left, const Sha256Hash& right);

// The root of a full tree of 2^height all-zero leaf hashes: padding at level `height`.
Sha256Hash merkle_pad(int height);

// log2 of a power of two.
int log2_exact(std::uint64_t power_of_two);

// The smallest power of two ≥ n (1 for n = 0).
std::uint64_t next_power_of_two(std::uint64_t n);

}  // namespace shoal
