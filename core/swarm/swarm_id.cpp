#include "swarm/swarm_id.hpp"

#include <algorithm>

namespace shoal {

namespace {

std::array<std::uint8_t, 20> truncated_v2(const InfoHashV2& hash) {
    std::array<std::uint8_t, 20> out{};
    std::copy_n(hash.bytes.begin(), out.size(), out.begin());
    return out;
}

}  // namespace

std::array<std::uint8_t, 20> SwarmId::wire_hash() const {
    if (v1) return v1->bytes;
    return v2 ? truncated_v2(*v2) : std::array<std::uint8_t, 20>{};
}

bool SwarmId::matches(const std::array<std::uint8_t, 20>& info_hash) const {
    return (v1 && v1->bytes == info_hash) || (v2 && truncated_v2(*v2) == info_hash);
}

std::vector<std::array<std::uint8_t, 20>> SwarmId::names() const {
    std::vector<std::array<std::uint8_t, 20>> out;
    if (v1) out.push_back(v1->bytes);
    if (v2) out.push_back(truncated_v2(*v2));
    return out;
}

std::array<std::uint8_t, 20> SwarmId::answer_to(const wire::Handshake& theirs) const {
    if (hybrid() && theirs.supports_v2() && theirs.info_hash == v1->bytes) return truncated_v2(*v2);
    return theirs.info_hash;
}

}  // namespace shoal
