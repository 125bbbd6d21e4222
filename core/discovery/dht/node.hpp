#pragma once
// A Mainline DHT node (BEP 5, with BEP 32, 42 and 43): one UDP socket per address family (its
// own, or a port it shares with uTP) on the caller's executor, no threads of its own. Call it only on that executor's thread;
// callbacks are posted there too, never run from inside a call. It may be destroyed at any
// time (the destructor stops it).

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "discovery/dht/compact.hpp"
#include "discovery/dht/peer_store.hpp"
#include "discovery/dht/routing_table.hpp"
#include "net/udp_port.hpp"
#include "util/result.hpp"

namespace shoal::dht {

// The public routers the application falls back to; tests always pass their own nodes.
inline const std::vector<std::string> k_default_bootstrap_nodes = {
    "router.bittorrent.com:6881", "dht.transmissionbt.com:6881", "dht.libtorrent.org:25401"};

struct NodeOptions {
    // IPv4 address and port to bind (port 0 picks one).
    Endpoint bind_v4{boost::asio::ip::make_address("0.0.0.0"), 6881};
    // Also run on IPv6 when set (BEP 32), with its own routing table.
    std::optional<Endpoint> bind_v6;
    // Shared ports to speak through instead of binding sockets of our own (bind_v4 and
    // bind_v6 are then ignored): the node takes the datagrams that are KRPC dictionaries.
    // They must outlive the node's start() to stop().
    net::UdpPort* port_v4 = nullptr;
    net::UdpPort* port_v6 = nullptr;
    // Our id; when unset it is derived from external_address (BEP 42) or random.
    std::optional<NodeId> id;
    std::optional<Address> external_address;
    // BEP 43: send "ro":1, answer no queries, stay out of other nodes' tables.
    bool read_only = false;
    // BEP 42: keep nodes whose id does not fit their address out of the routing table.
    // Off by default, as in libtorrent: many nodes still have older ids. Either way, nodes
    // with fitting ids push out those without in full buckets.
    bool enforce_node_ids = false;
    std::size_t alpha = 3;  // lookup queries in flight (3..8 is sensible)
    std::chrono::milliseconds query_timeout{2000};
    // A lookup query unanswered this long frees its slot for another (the reply still counts).
    std::chrono::milliseconds query_slow_after{1000};
    std::size_t max_queries_per_source_per_second = 20;
    std::size_t max_sources_per_second = 10'000;
    std::size_t max_packets_per_second = 2000;
    RoutingLimits routing;
    PeerStoreLimits peers;
    // Seeds ids, transaction ids and token secrets; 0 draws one from the system.
    std::uint64_t seed = 0;
};

// Counters since start(); all packets, both families.
struct NodeStats {
    std::uint64_t packets_sent = 0;
    std::uint64_t packets_received = 0;
    std::uint64_t queries_received = 0;
    std::uint64_t responses_received = 0;
    std::uint64_t errors_received = 0;
    std::uint64_t errors_sent = 0;
    std::uint64_t timeouts = 0;
    std::uint64_t dropped_malformed = 0;
    std::uint64_t dropped_oversized = 0;
    std::uint64_t dropped_rate_limited = 0;
    std::uint64_t dropped_unexpected = 0;  // replies matching no outstanding query
    std::uint64_t dropped_send_budget = 0;
};

// What one get_peers or announce cost and found.
struct LookupSummary {
    std::size_t queries = 0;  // get_peers/announce_peer queries sent
    std::size_t replies = 0;
    std::size_t peers = 0;         // distinct peers reported
    std::size_t announced_to = 0;  // announce_peer acknowledgements (announce only)
    std::chrono::microseconds elapsed{0};
};

using PeersCallback = std::function<void(const std::vector<Endpoint>& peers)>;
using DoneCallback = std::function<void(const LookupSummary& summary)>;

class Node {
  public:
    // Creates a stopped node; nothing touches the network until start().
    Node(boost::asio::any_io_executor executor, NodeOptions options);
    // Stops the node; pending callbacks are dropped.
    ~Node();
    Node(const Node&) = delete;
    Node& operator=(const Node&) = delete;

    // Binds the socket(s) and starts serving; returns the bound IPv4 endpoint.
    Result<Endpoint> start();
    // After start(): joins through "host:port" nodes ("[v6]:port" too; names are resolved),
    // and again every minute while the routing table is empty. Bad entries are skipped.
    void bootstrap(std::vector<std::string> host_ports);
    // After start(): iterative get_peers lookup on every family; `on_peers` gets batches of
    // new peers, `on_done` runs once when the lookup has converged.
    void get_peers(const SwarmHash& hash, PeersCallback on_peers, DoneCallback on_done);
    // After start(): get_peers lookup, then announce_peer with their tokens to the 8 closest
    // nodes that replied (port 0 means implied_port). Re-announce every 15-30 minutes.
    void announce(const SwarmHash& hash, std::uint16_t port, bool implied_port,
                  DoneCallback on_done = {});
    // Nodes in the routing table(s).
    std::size_t node_count() const;
    // Packet and error counters.
    NodeStats stats() const;
    // Our id.
    NodeId id() const;
    // The address other nodes report seeing us at (BEP 42 "ip"), once a majority of the
    // recent reports from distinct networks agree on it.
    std::optional<Address> external_address() const;
    // Bencoded {"id", "nodes", "nodes6"}: our id and the good nodes, for the next start.
    std::string save_state() const;
    // Restores save_state() bytes: before start() it adopts the id; the nodes are pinged
    // once running. Returns how many nodes were read.
    Result<std::size_t> load_state(std::string_view bytes);
    // Closes the sockets and cancels lookups; their done callbacks are not called.
    void stop();

  private:
    class Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace shoal::dht
