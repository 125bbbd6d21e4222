// 60 Shoal DHT nodes on 127.0.0.1..127.0.0.60 in one process: they bootstrap from the first,
// announce, and find each other's peers; a read-only node stays out of their tables; saved
// state brings a node back. Runs inside a private network namespace.

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>

#include "dht_test_util.hpp"

namespace shoal::dht {
namespace {

using namespace std::chrono_literals;
using testing::loopback;
using testing::run_until;

constexpr unsigned short k_port = 6881;
constexpr unsigned k_nodes = 60;

SwarmHash hash_for(unsigned i) {
    SwarmHash h;
    for (std::size_t b = 0; b < h.bytes.size(); ++b)
        h.bytes[b] = static_cast<std::uint8_t>((i * 37 + b * 101) ^ 0x5a);
    return h;
}

class DhtNetwork : public ::testing::Test {
  protected:
    void SetUp() override {
        for (unsigned i = 1; i <= k_nodes; ++i) {
            NodeOptions options;
            options.bind_v4 = Endpoint(loopback(i), k_port);
            options.seed = i;
            nodes_.push_back(std::make_unique<Node>(io_.get_executor(), options));
            ASSERT_TRUE(nodes_.back()->start().ok());
        }
        for (unsigned i = 1; i < k_nodes; ++i)
            nodes_[i]->bootstrap({"127.0.0.1:6881"});
        // Joined: every node knows a fair part of the network.
        const bool joined = run_until(
            io_,
            [&] {
                for (auto& n : nodes_) {
                    if (n->node_count() < 10)
                        return false;
                }
                return true;
            },
            20s);
        ASSERT_TRUE(joined);
    }

    boost::asio::io_context io_;
    std::vector<std::unique_ptr<Node>> nodes_;
};

TEST_F(DhtNetwork, NodesFindEachOthersAnnouncedPeers) {
    constexpr unsigned k_torrents = 10;
    std::size_t announced = 0;
    for (unsigned t = 0; t < k_torrents; ++t) {
        nodes_[t * 5]->announce(hash_for(t), static_cast<std::uint16_t>(20000 + t), false,
                                [&](const LookupSummary& s) {
                                    EXPECT_GE(s.announced_to, 1u);
                                    ++announced;
                                });
    }
    ASSERT_TRUE(run_until(
        io_, [&] { return announced == k_torrents; }, 20s));

    // Nodes that took no part in announcing look every torrent up.
    std::map<std::pair<unsigned, unsigned>, std::set<Endpoint>> found;
    std::size_t done = 0;
    std::size_t queries = 0;
    for (unsigned t = 0; t < k_torrents; ++t) {
        for (unsigned seeker : {t * 5 + 1, t * 5 + 3, 59 - t}) {
            nodes_[seeker]->get_peers(
                hash_for(t),
                [&, t, seeker](const std::vector<Endpoint>& peers) {
                    found[std::pair(t, seeker)].insert(peers.begin(), peers.end());
                },
                [&](const LookupSummary& s) {
                    ++done;
                    queries += s.queries;
                });
        }
    }
    ASSERT_TRUE(run_until(
        io_, [&] { return done == 3 * k_torrents; }, 20s));
    for (unsigned t = 0; t < k_torrents; ++t) {
        const Endpoint expected(loopback(t * 5 + 1), static_cast<unsigned short>(20000 + t));
        for (unsigned seeker : {t * 5 + 1, t * 5 + 3, 59 - t})
            EXPECT_TRUE(found[std::pair(t, seeker)].contains(expected))
                << "node " << seeker << " did not find torrent " << t;
    }
    std::cout << "lookups: " << done << ", queries per lookup: " << queries / done << "\n";
}

TEST_F(DhtNetwork, LookupsSurviveNodesThatVanish) {
    bool announced = false;
    nodes_[2]->announce(hash_for(77), 4077, false, [&](const LookupSummary&) { announced = true; });
    ASSERT_TRUE(run_until(
        io_, [&] { return announced; }, 20s));
    // A quarter of the network goes away without a word.
    for (unsigned i = 30; i < 45; ++i)
        nodes_[i]->stop();
    std::set<Endpoint> found;
    bool done = false;
    nodes_[50]->get_peers(
        hash_for(77), [&](const std::vector<Endpoint>& p) { found.insert(p.begin(), p.end()); },
        [&](const LookupSummary&) { done = true; });
    ASSERT_TRUE(run_until(
        io_, [&] { return done; }, 20s));
    EXPECT_TRUE(found.contains(Endpoint(loopback(3), 4077)));
    // A few more lookups meet the missing nodes and time out on them; those go bad.
    std::size_t more = 0;
    for (unsigned t = 100; t < 110; ++t)
        nodes_[50]->get_peers(
            hash_for(t), [](const std::vector<Endpoint>&) {},
            [&](const LookupSummary&) { ++more; });
    ASSERT_TRUE(run_until(
        io_, [&] { return more == 10; }, 30s));
    EXPECT_GT(nodes_[50]->stats().timeouts, 0u);
}

TEST_F(DhtNetwork, ImpliedPortUsesTheSourcePort) {
    bool announced = false;
    nodes_[7]->announce(hash_for(99), 1, true, [&](const LookupSummary&) { announced = true; });
    ASSERT_TRUE(run_until(
        io_, [&] { return announced; }, 20s));
    std::set<Endpoint> found;
    bool done = false;
    nodes_[30]->get_peers(
        hash_for(99), [&](const std::vector<Endpoint>& p) { found.insert(p.begin(), p.end()); },
        [&](const LookupSummary&) { done = true; });
    ASSERT_TRUE(run_until(
        io_, [&] { return done; }, 20s));
    EXPECT_TRUE(found.contains(Endpoint(loopback(8), k_port)));
}

TEST_F(DhtNetwork, ReadOnlyNodeLooksUpButStaysOutOfTables) {
    NodeOptions options;
    options.bind_v4 = Endpoint(loopback(70), k_port);
    options.read_only = true;
    Node reader(io_.get_executor(), options);
    ASSERT_TRUE(reader.start().ok());
    reader.bootstrap({"127.0.0.1:6881", "127.0.0.2:6881"});
    bool announced = false;
    nodes_[10]->announce(hash_for(50), 30000, false,
                         [&](const LookupSummary&) { announced = true; });
    ASSERT_TRUE(run_until(
        io_, [&] { return announced && reader.node_count() >= 8; }, 20s));
    std::set<Endpoint> found;
    bool done = false;
    reader.get_peers(
        hash_for(50), [&](const std::vector<Endpoint>& p) { found.insert(p.begin(), p.end()); },
        [&](const LookupSummary&) { done = true; });
    ASSERT_TRUE(run_until(
        io_, [&] { return done; }, 20s));
    EXPECT_TRUE(found.contains(Endpoint(loopback(11), 30000)));

    // Nobody lists the read-only node, even when asked for the nodes closest to its id.
    testing::RawClient client(io_, 200);
    Query q;
    q.method = Method::find_node;
    q.id = *NodeId::from_hex("0101010101010101010101010101010101010101");
    q.target = reader.id();
    for (unsigned i = 1; i <= k_nodes; ++i)
        client.send(testing::make_query("f" + std::to_string(i), q), Endpoint(loopback(i), k_port));
    std::vector<Message> replies;
    run_until(
        io_,
        [&] {
            auto more = client.drain();
            replies.insert(replies.end(), more.begin(), more.end());
            return replies.size() >= k_nodes;
        },
        5s);
    // A node may answer with an error instead (a loaded machine trips its rate limits); an
    // error lists nobody, so only the responses are looked into.
    std::size_t responses = 0;
    for (const auto& m : replies) {
        const auto* response = std::get_if<Response>(&m.body);
        if (!response)
            continue;
        ++responses;
        for (const auto& n : response->nodes)
            EXPECT_NE(n.endpoint, Endpoint(loopback(70), k_port));
    }
    EXPECT_GE(responses, k_nodes - 2);
    // And it answers no queries.
    Query ping;
    ping.method = Method::ping;
    ping.id = q.id;
    client.send(testing::make_query("pp", ping), Endpoint(loopback(70), k_port));
    io_.restart();
    io_.run_for(300ms);
    EXPECT_TRUE(client.drain().empty());
}

TEST_F(DhtNetwork, SavedStateRejoins) {
    const std::string state = nodes_[20]->save_state();
    const NodeId old_id = nodes_[20]->id();
    nodes_[20]->stop();
    NodeOptions options;
    options.bind_v4 = Endpoint(loopback(21), k_port);
    Node again(io_.get_executor(), options);
    auto loaded = again.load_state(state);
    ASSERT_TRUE(loaded.ok()) << loaded.error().message;
    EXPECT_GE(*loaded, 8u);
    EXPECT_EQ(again.id(), old_id);
    ASSERT_TRUE(again.start().ok());
    // No bootstrap: the saved nodes alone bring it back.
    EXPECT_TRUE(run_until(
        io_, [&] { return again.node_count() >= 8; }, 10s));
    EXPECT_FALSE(again.load_state("garbage").ok());
    EXPECT_FALSE(again.load_state("d2:id3:abce").ok());
}

}  // namespace
}  // namespace shoal::dht

namespace shoal::dht {
namespace {

// BEP 32: nodes that also listen on ::1 keep a second routing table and find IPv6 peers.
TEST(DhtIpv6, NodesFindPeersOverBothFamilies) {
    using namespace std::chrono_literals;
    boost::asio::io_context io;
    std::vector<std::unique_ptr<Node>> nodes;
    constexpr unsigned k_count = 12;
    for (unsigned i = 0; i < k_count; ++i) {
        NodeOptions options;
        options.bind_v4 = Endpoint(testing::loopback(100 + i), 6991);
        options.bind_v6 =
            Endpoint(boost::asio::ip::make_address("::1"), static_cast<unsigned short>(7000 + i));
        // Every IPv6 node shares the one loopback address.
        options.routing.max_per_ip_per_bucket = k_count;
        nodes.push_back(std::make_unique<Node>(io.get_executor(), options));
        ASSERT_TRUE(nodes.back()->start().ok());
    }
    for (unsigned i = 1; i < k_count; ++i)
        nodes[i]->bootstrap({"127.0.0.100:6991", "[::1]:7000"});
    ASSERT_TRUE(testing::run_until(
        io,
        [&] {
            for (auto& n : nodes) {
                // Both tables hold others: more nodes than one family alone could give.
                if (n->node_count() < k_count)
                    return false;
            }
            return true;
        },
        20s));
    const SwarmHash hash = *SwarmHash::from_hex("6666666666666666666666666666666666666666");
    bool announced = false;
    nodes[3]->announce(hash, 5555, false, [&](const LookupSummary&) { announced = true; });
    ASSERT_TRUE(testing::run_until(
        io, [&] { return announced; }, 20s));
    std::set<Endpoint> found;
    bool done = false;
    nodes[9]->get_peers(
        hash, [&](const std::vector<Endpoint>& p) { found.insert(p.begin(), p.end()); },
        [&](const LookupSummary&) { done = true; });
    ASSERT_TRUE(testing::run_until(
        io, [&] { return done; }, 20s));
    EXPECT_TRUE(found.contains(Endpoint(testing::loopback(103), 5555)));
    EXPECT_TRUE(found.contains(Endpoint(boost::asio::ip::make_address("::1"), 5555)));
}

}  // namespace
}  // namespace shoal::dht
