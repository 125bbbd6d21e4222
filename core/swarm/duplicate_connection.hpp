#pragma once
// Two connections between the same two peers, made when each dialed the other at once (they
// found each other through a tracker, local discovery or PEX at the same moment). Each side
// refuses one of them; unless both refuse the same one, each closes the connection the other
// kept and none is left. Both keep the connection dialed by the peer with the greater id.

#include "wire/handshake.hpp"

namespace shoal {

// Whether, of two connections with the peer `theirs`, the one we dialed is the one to keep.
inline bool keep_the_one_we_dialed(const wire::PeerId& ours, const wire::PeerId& theirs) { return ours > theirs; }

}  // namespace shoal
