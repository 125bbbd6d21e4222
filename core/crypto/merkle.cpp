#include "crypto/merkle.hpp"

#include <bit>

#include "crypto/hasher.hpp"

namespace shoal {
namespace {

Sha256Hash hash_pair(Sha256Hasher& h, const Sha256Hash& a, const Sha256Hash& b) {
    return h.update(a.bytes).update(b.bytes).final();
}

}  // namespace

Sha256Hash merkle_parent(const Sha256Hash& left, const Sha256Hash& right) {
    Sha256Hasher h;
    return hash_pair(h, left, right);
}

std::uint64_t next_power_of_two(std::uint64_t n) { return n <= 1 ? 1 : std::bit_ceil(n); }

int log2_exact(std::uint64_t power_of_two) { return std::countr_zero(power_of_two); }

Sha256Hash merkle_pad(int height) {
    Sha256Hasher h;
    Sha256Hash node{};
    for (int i = 0; i < height; ++i) node = hash_pair(h, node, node);
    return node;
}

Sha256Hash merkle_root(std::span<const Sha256Hash> nodes, const Sha256Hash& pad,
                       std::size_t width) {
    if (width == 0) width = next_power_of_two(nodes.size());
    if (width == 1) return nodes.empty() ? pad : nodes[0];
    Sha256Hasher h;
    std::vector<Sha256Hash> level(nodes.begin(), nodes.end());
    Sha256Hash level_pad = pad;
    // Only the real nodes are stored; the padded tail is summarised by `level_pad`.
    while (width > 1) {
        std::vector<Sha256Hash> next;
        next.reserve((level.size() + 1) / 2);
        for (std::size_t i = 0; i < level.size(); i += 2) {
            const Sha256Hash& right = i + 1 < level.size() ? level[i + 1] : level_pad;
            next.push_back(hash_pair(h, level[i], right));
        }
        level_pad = hash_pair(h, level_pad, level_pad);
        level = std::move(next);
        width /= 2;
    }
    return level.empty() ? level_pad : level[0];
}

}  // namespace shoal
