#pragma once
// Kademlia routing table (BEP 5): K-buckets over the XOR distance to our id, split only
// around our own id, with node states, a replacement cache and refresh bookkeeping.
// No sockets and no clock of its own: callers pass `now`.

#include <chrono>
#include <cstddef>
#include <optional>
#include <random>
#include <vector>

#include "discovery/dht/compact.hpp"

namespace shoal::dht {

enum class NodeState { good, questionable, bad };

struct RoutingLimits {
    std::size_t bucket_size = 8;  // K
    std::size_t replacements_per_bucket = 8;
    // Nodes sharing one IP address within one bucket; stops one host filling a bucket.
    std::size_t max_per_ip_per_bucket = 1;
    // A node that has not replied for this long becomes questionable (BEP 5: 15 minutes).
    std::chrono::seconds good_for{15 * 60};
    // Unanswered queries in a row that make a node bad.
    int max_failures = 2;
    // A bucket untouched for this long is refreshed with a lookup (BEP 5: 15 minutes).
    std::chrono::seconds refresh_after{15 * 60};
};

struct RoutingEntry {
    NodeEntry node;
    // Last reply to one of our queries; nullopt when the node never replied.
    std::optional<TimePoint> last_reply;
    // Last query the node sent us.
    std::optional<TimePoint> last_query;
    TimePoint added;
    int failed_queries = 0;
    // The id fits the node's address under BEP 42 (or the address is exempt).
    bool verified = true;

    // BEP 5's classification at `now`.
    NodeState state(TimePoint now, const RoutingLimits& limits) const;
};

class RoutingTable {
  public:
    // An empty table (one bucket) around `own_id`.
    RoutingTable(NodeId own_id, TimePoint now, RoutingLimits limits = {});

    // How we learnt of a node: it answered our query, or it sent us a query.
    enum class Seen { replied, queried };
    // Records contact with `node`. Returns true when the node is in the table afterwards
    // (not only in a replacement cache). In a full bucket a `verified` node (BEP 42) takes
    // the place of an unverified one, which moves to the replacement cache.
    bool on_contact(const NodeEntry& node, Seen how, TimePoint now, bool verified = true);
    // A query to `endpoint` went unanswered; bad nodes give way to a replacement.
    void on_timeout(const Endpoint& endpoint, TimePoint now);
    // Forgets the node at `endpoint` (for example one that turned read-only).
    void remove(const Endpoint& endpoint);

    // Up to `count` non-bad nodes closest to `target`, closest first.
    std::vector<NodeEntry> closest(const NodeId& target, std::size_t count) const;
    // All good nodes (for saving state).
    std::vector<NodeEntry> good_nodes(TimePoint now) const;
    // Questionable nodes to ping so their bucket keeps only live nodes; at most one per bucket.
    std::vector<NodeEntry> nodes_to_ping(TimePoint now) const;
    // A random target in each bucket untouched for `refresh_after`; marks those buckets
    // touched so each is refreshed once per period.
    std::vector<NodeId> refresh_targets(TimePoint now, std::mt19937_64& rng);
    // A lookup for `target` counts as activity in the bucket that covers it.
    void touch(const NodeId& target, TimePoint now);

    // The live entry at `endpoint`, or nullptr (replacements are not searched).
    const RoutingEntry* find(const Endpoint& endpoint) const;
    // Live entries in all buckets.
    std::size_t size() const;
    // Buckets so far; bucket i holds ids sharing exactly i leading bits with ours, the last
    // one every id sharing more.
    std::size_t bucket_count() const { return buckets_.size(); }
    // Live entries of bucket `index`.
    std::size_t bucket_size(std::size_t index) const { return buckets_.at(index).live.size(); }
    // Replacement cache entries of bucket `index`.
    std::size_t replacement_count(std::size_t index) const {
        return buckets_.at(index).replacements.size();
    }
    // The id the buckets are arranged around.
    const NodeId& own_id() const { return own_id_; }
    // The bucket that covers `id`.
    std::size_t bucket_index(const NodeId& id) const;

  private:
    struct Bucket {
        std::vector<RoutingEntry> live;
        std::vector<RoutingEntry> replacements;
        TimePoint touched;
    };
    bool ip_allowed(const Bucket& bucket, const Address& ip) const;
    void split_last();
    static void promote_replacement(Bucket& bucket);
    void add_replacement(Bucket& bucket, const RoutingEntry& entry) const;

    NodeId own_id_;
    RoutingLimits limits_;
    std::vector<Bucket> buckets_;
};

}  // namespace shoal::dht
