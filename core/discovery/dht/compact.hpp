#pragma once
// Compact peer info (6/18 bytes) and compact node info (26/38 bytes), BEP 5 and BEP 32.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "discovery/dht/node_id.hpp"
#include "util/result.hpp"

namespace shoal::dht {

// A node as other nodes describe it: its id and where it listens.
struct NodeEntry {
    NodeId id;
    Endpoint endpoint;
    bool operator==(const NodeEntry&) const = default;
};

constexpr std::size_t k_compact_peer_v4 = 6;
constexpr std::size_t k_compact_peer_v6 = 18;
constexpr std::size_t k_compact_node_v4 = 26;
constexpr std::size_t k_compact_node_v6 = 38;

// Address then port, big-endian. The address family picks the length.
std::string encode_endpoint(const Endpoint& endpoint);
// Exactly 6 (IPv4) or 18 (IPv6) bytes; anything else is nullopt.
std::optional<Endpoint> decode_endpoint(std::string_view raw);

// Appends one compact node info; callers keep IPv4 and IPv6 nodes in separate strings.
void append_node(std::string& out, const NodeEntry& node);
// A "nodes" (v6 = false) or "nodes6" (v6 = true) string: whole entries only, at most
// `max_count` of them.
Result<std::vector<NodeEntry>> decode_nodes(std::string_view raw, bool v6, std::size_t max_count);

// "a.b.c.d:port" or "[v6]:port", for logs and tools.
std::string to_string(const Endpoint& endpoint);

}  // namespace shoal::dht
