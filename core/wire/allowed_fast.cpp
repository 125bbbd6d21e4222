#include "wire/allowed_fast.hpp"

#include <algorithm>

#include "crypto/hasher.hpp"
#include "wire/messages.hpp"

namespace shoal::wire {

std::vector<std::uint32_t> allowed_fast_set(std::uint32_t ipv4, const std::array<std::uint8_t, 20>& info_hash,
                                            std::uint32_t num_pieces, std::size_t k) {
    std::vector<std::uint32_t> out;
    k = std::min<std::size_t>(k, num_pieces);
    std::string x;
    append_u32(x, ipv4 & 0xffffff00);
    x.append(reinterpret_cast<const char*>(info_hash.data()), info_hash.size());
    while (out.size() < k) {
        const Sha1Hash h = sha1(x);
        x.assign(h.view());
        for (std::size_t i = 0; i < 5 && out.size() < k; ++i) {
            const std::uint32_t index = read_u32(x.data() + 4 * i) % num_pieces;
            if (std::find(out.begin(), out.end(), index) == out.end()) out.push_back(index);
        }
    }
    return out;
}

}  // namespace shoal::wire
