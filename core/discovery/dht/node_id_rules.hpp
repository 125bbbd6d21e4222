#pragma once
// BEP 42: node ids tied to the node's external IP address, so one host cannot place itself
// anywhere in the id space.

#include <cstdint>

#include "discovery/dht/node_id.hpp"

namespace shoal::dht {

// Loopback, private, link-local and unique-local addresses: BEP 42 does not apply to them
// (a node there cannot know an external address that others would see).
bool is_exempt_address(const Address& address);

// An id valid for `external` under BEP 42. `r` is the random byte stored in the id's last
// byte (its low 3 bits enter the hash); `rng` fills the free bits.
NodeId node_id_for_address(const Address& external, std::uint8_t r, std::mt19937_64& rng);

// True when `id` fits `address` (or the address is exempt).
bool node_id_matches_address(const NodeId& id, const Address& address);

}  // namespace shoal::dht
