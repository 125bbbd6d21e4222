#pragma once
// The iterative Kademlia lookup (BEP 5) as a state machine without sockets: it says whom to
// query next and when it has converged on the K closest nodes that answered.

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "discovery/dht/compact.hpp"

namespace shoal::dht {

struct LookupLimits {
    std::size_t alpha = 3;  // queries in flight
    std::size_t k = 8;      // closest nodes that must have answered
    // Candidates remembered; the farthest unqueried ones are dropped beyond it.
    std::size_t max_candidates = 128;
};

class Lookup {
  public:
    Lookup(NodeId target, LookupLimits limits) : target_(target), limits_(limits) {}

    // Nodes to consider (from our table or from replies); duplicates are ignored.
    void add_candidates(const std::vector<NodeEntry>& nodes);
    // A node of unknown id (a bootstrap router): queried first, never counted as a result.
    void add_seed(const Endpoint& endpoint);

    // Nodes to query now; each is marked in flight.
    std::vector<Endpoint> next_queries();
    // `endpoint` answered with id `id`; `token` is kept for announce_peer.
    void on_reply(const Endpoint& endpoint, const NodeId& id, std::optional<std::string> token);
    // `endpoint` timed out or sent an error.
    void on_failure(const Endpoint& endpoint);
    // `endpoint` has not answered for a while: it stops holding one of the alpha slots, so
    // one slow node does not stall the lookup, but its answer is still welcome.
    void on_slow(const Endpoint& endpoint);

    // Nothing in flight and the K closest live candidates have all answered (or nothing is
    // left to ask).
    bool done() const;
    // The closest nodes that answered, with the tokens they gave, closest first.
    struct Result {
        NodeEntry node;
        std::string token;
    };
    std::vector<Result> closest_replied(std::size_t count) const;

    // The id or info-hash looked up.
    const NodeId& target() const { return target_; }
    // Queries handed out so far.
    std::size_t queried() const { return queried_; }
    // Replies received so far.
    std::size_t replied() const { return replied_; }

  private:
    enum class Status { fresh, in_flight, slow, replied, failed };
    struct Candidate {
        NodeEntry node;
        Status status = Status::fresh;
        std::string token;
    };
    struct Seed {
        Endpoint endpoint;
        Status status = Status::fresh;
    };
    // Queries holding an alpha slot.
    std::size_t in_flight() const;
    // Asked and not answered yet (slow or not).
    static bool waiting(Status s) { return s == Status::in_flight || s == Status::slow; }

    NodeId target_;
    LookupLimits limits_;
    std::vector<Candidate> candidates_;  // sorted by distance to target_
    std::vector<Seed> seeds_;
    std::size_t queried_ = 0;
    std::size_t replied_ = 0;
};

}  // namespace shoal::dht
