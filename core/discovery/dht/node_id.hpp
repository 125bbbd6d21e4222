#pragma once
// DHT identifiers (node ids, info-hashes) and the XOR metric that orders them (BEP 5).

#include <chrono>
#include <cstdint>
#include <random>

#include <boost/asio/ip/udp.hpp>

#include "crypto/digest.hpp"
#include "metainfo/torrent_info.hpp"

namespace shoal::dht {

struct NodeIdTag;
// A 160-bit node id; same space as info-hashes, but a distinct type so the two never mix.
using NodeId = Digest<20, NodeIdTag>;

using Endpoint = boost::asio::ip::udp::endpoint;
using Address = boost::asio::ip::address;
using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;

// Reinterprets any 20-byte key (an info-hash) as a point in node id space.
inline NodeId as_node_id(const SwarmHash& hash) {
    NodeId id;
    id.bytes = hash.bytes;
    return id;
}

// XOR of two ids: the Kademlia distance, comparable as a big-endian number.
inline NodeId distance(const NodeId& a, const NodeId& b) {
    NodeId d;
    for (std::size_t i = 0; i < NodeId::size; ++i)
        d.bytes[i] = a.bytes[i] ^ b.bytes[i];
    return d;
}

// Number of leading bits `a` and `b` share (160 when equal).
int common_prefix_bits(const NodeId& a, const NodeId& b);

// True when `a` is closer to `target` than `b` is.
inline bool closer(const NodeId& target, const NodeId& a, const NodeId& b) {
    return distance(target, a) < distance(target, b);
}

// A uniformly random id.
NodeId random_node_id(std::mt19937_64& rng);

// A random id that shares exactly `prefix_bits` leading bits with `base` (the next bit
// differs), used to refresh the bucket that covers that distance.
NodeId random_id_in_bucket(const NodeId& base, int prefix_bits, std::mt19937_64& rng);

}  // namespace shoal::dht
