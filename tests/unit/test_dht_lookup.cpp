// The iterative lookup against a simulated network of 300 nodes (no sockets): it converges
// on the K closest nodes with a bounded number of queries.

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "discovery/dht/lookup.hpp"
#include "discovery/dht/routing_table.hpp"

namespace shoal::dht {
namespace {

struct SimNode {
    NodeEntry entry;
    std::unique_ptr<RoutingTable> table;
};

Endpoint at(unsigned index) {
    return Endpoint(boost::asio::ip::make_address_v4(0x7f000000u + index + 1), 6881);
}

TEST(dht_lookup, ConvergesOnTheClosestNodes) {
    std::mt19937_64 rng(11);
    const TimePoint t{};
    std::vector<SimNode> nodes;
    std::map<Endpoint, std::size_t> by_endpoint;
    for (unsigned i = 0; i < 300; ++i) {
        NodeEntry e{random_node_id(rng), at(i)};
        nodes.push_back({e, std::make_unique<RoutingTable>(e.id, t)});
        by_endpoint[e.endpoint] = i;
    }
    // Every node learns of 40 random others and, as its own bootstrap lookup would give
    // it, of the 8 nodes closest to itself.
    for (auto& n : nodes) {
        for (int j = 0; j < 40; ++j)
            n.table->on_contact(nodes[rng() % nodes.size()].entry, RoutingTable::Seen::replied, t);
        std::vector<NodeEntry> all;
        for (const auto& other : nodes)
            all.push_back(other.entry);
        std::partial_sort(
            all.begin(), all.begin() + 9, all.end(),
            [&](const auto& a, const auto& b) { return closer(n.entry.id, a.id, b.id); });
        for (int j = 1; j < 9; ++j)
            n.table->on_contact(all[static_cast<std::size_t>(j)], RoutingTable::Seen::replied, t);
    }
    const NodeId target = random_node_id(rng);
    Lookup lookup(target, LookupLimits{});
    lookup.add_candidates(nodes[0].table->closest(target, 8));
    int rounds = 0;
    while (!lookup.done() && rounds < 1000) {
        ++rounds;
        for (const auto& to : lookup.next_queries()) {
            const auto& responder = nodes[by_endpoint.at(to)];
            // Every fifth node is down.
            if (by_endpoint.at(to) % 5 == 4) {
                lookup.on_failure(to);
                continue;
            }
            lookup.on_reply(to, responder.entry.id, "tok");
            lookup.add_candidates(responder.table->closest(target, 8));
        }
    }
    ASSERT_TRUE(lookup.done());
    EXPECT_LT(lookup.queried(), 120u);

    std::vector<NodeEntry> alive;
    for (std::size_t i = 0; i < nodes.size(); ++i) {
        if (i % 5 != 4)
            alive.push_back(nodes[i].entry);
    }
    std::sort(alive.begin(), alive.end(),
              [&](const auto& a, const auto& b) { return closer(target, a.id, b.id); });
    const auto found = lookup.closest_replied(8);
    ASSERT_EQ(found.size(), 8u);
    // The closest live node in the whole network is found, and most of the K closest.
    EXPECT_EQ(found[0].node.id, alive[0].id);
    int hits = 0;
    for (const auto& r : found) {
        EXPECT_EQ(r.token, "tok");
        for (std::size_t i = 0; i < 8; ++i)
            hits += r.node.id == alive[i].id ? 1 : 0;
    }
    EXPECT_GE(hits, 6);
}

TEST(dht_lookup, SeedsAreAskedFirstAndAlphaIsRespected) {
    Lookup lookup(NodeId{}, LookupLimits{.alpha = 2, .k = 8, .max_candidates = 16});
    lookup.add_seed(at(1));
    lookup.add_seed(at(2));
    lookup.add_seed(at(3));
    auto first = lookup.next_queries();
    ASSERT_EQ(first.size(), 2u);
    EXPECT_EQ(first[0], at(1));
    EXPECT_TRUE(lookup.next_queries().empty());
    lookup.on_failure(at(1));
    EXPECT_EQ(lookup.next_queries(), std::vector<Endpoint>{at(3)});
    EXPECT_FALSE(lookup.done());
    lookup.on_failure(at(2));
    lookup.on_failure(at(3));
    EXPECT_TRUE(lookup.done());
    EXPECT_TRUE(lookup.closest_replied(8).empty());
}

TEST(dht_lookup, SlowNodesFreeTheirSlot) {
    std::mt19937_64 rng(4);
    const NodeId target{};
    Lookup lookup(target, LookupLimits{.alpha = 2, .k = 3, .max_candidates = 16});
    std::vector<NodeEntry> nodes;
    for (unsigned i = 0; i < 6; ++i)
        nodes.push_back({random_node_id(rng), at(i)});
    std::sort(nodes.begin(), nodes.end(),
              [&](const auto& a, const auto& b) { return closer(target, a.id, b.id); });
    lookup.add_candidates(nodes);
    EXPECT_EQ(lookup.next_queries(), (std::vector<Endpoint>{nodes[0].endpoint, nodes[1].endpoint}));
    // The closest is slow: the third gets its slot, and the fourth too once the second answers
    // (the slow one no longer counts among the K closest to ask).
    lookup.on_slow(nodes[0].endpoint);
    EXPECT_EQ(lookup.next_queries(), std::vector<Endpoint>{nodes[2].endpoint});
    lookup.on_reply(nodes[1].endpoint, nodes[1].id, std::nullopt);
    lookup.on_reply(nodes[2].endpoint, nodes[2].id, std::nullopt);
    EXPECT_EQ(lookup.next_queries(), std::vector<Endpoint>{nodes[3].endpoint});
    lookup.on_reply(nodes[3].endpoint, nodes[3].id, std::nullopt);
    // Not done while the slow node, one of the closest, may still answer.
    EXPECT_TRUE(lookup.next_queries().empty());
    EXPECT_FALSE(lookup.done());
    lookup.on_reply(nodes[0].endpoint, nodes[0].id, "late");
    EXPECT_TRUE(lookup.done());
    const auto best = lookup.closest_replied(3);
    ASSERT_EQ(best.size(), 3u);
    EXPECT_EQ(best[0].node.endpoint, nodes[0].endpoint);
    EXPECT_EQ(best[0].token, "late");
}

TEST(dht_lookup, CandidateListIsBounded) {
    std::mt19937_64 rng(2);
    Lookup lookup(NodeId{}, LookupLimits{.alpha = 3, .k = 8, .max_candidates = 16});
    std::vector<NodeEntry> many;
    for (unsigned i = 0; i < 100; ++i)
        many.push_back({random_node_id(rng), at(i)});
    lookup.add_candidates(many);
    lookup.add_candidates(many);
    int total = 0;
    while (!lookup.done()) {
        for (const auto& to : lookup.next_queries()) {
            lookup.on_failure(to);
            ++total;
        }
    }
    EXPECT_EQ(total, 16);
}

}  // namespace
}  // namespace shoal::dht
