#include "swarm/swarm_id.hpp"

namespace shoal {

SwarmHash SwarmId::wire_hash() const {
    if (v1) return swarm_hash(*v1);
    return v2 ? swarm_hash(*v2) : SwarmHash{};
}

bool SwarmId::matches(const SwarmHash& hash) const {
    return (v1 && swarm_hash(*v1) == hash) || (v2 && swarm_hash(*v2) == hash);
}

std::vector<SwarmHash> SwarmId::names() const {
    std::vector<SwarmHash> out;
    if (v1) out.push_back(swarm_hash(*v1));
    if (v2) out.push_back(swarm_hash(*v2));
    return out;
}

SwarmHash SwarmId::answer_to(const wire::Handshake& theirs) const {
    if (hybrid() && theirs.supports_v2() && theirs.info_hash == v1->bytes) return swarm_hash(*v2);
    return SwarmHash{theirs.info_hash};
}

}  // namespace shoal
