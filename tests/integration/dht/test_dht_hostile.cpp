// A Shoal DHT node under bad input: garbage and oversized datagrams, announce_peer with a
// forged or borrowed token, and a query flood from one address while others are served.

#include <gtest/gtest.h>

#include <random>

#include "dht_test_util.hpp"

namespace shoal::dht {
namespace {

using namespace std::chrono_literals;
using namespace std::string_literals;
using testing::loopback;
using testing::make_query;
using testing::RawClient;
using testing::run_until;

const Endpoint k_target(loopback(1), 6881);
const NodeId k_client_id = *NodeId::from_hex("0202020202020202020202020202020202020202");
const SwarmHash k_hash = *SwarmHash::from_hex("00112233445566778899aabbccddeeff00112233");

class DhtHostile : public ::testing::Test {
  protected:
    DhtHostile() {
        NodeOptions options;
        options.bind_v4 = k_target;
        options.max_queries_per_source_per_second = 20;
        node_ = std::make_unique<Node>(io_.get_executor(), options);
        EXPECT_TRUE(node_->start().ok());
    }

    std::vector<Message> collect(RawClient& client, std::size_t want,
                                 std::chrono::milliseconds limit = 2s) {
        std::vector<Message> out;
        run_until(
            io_,
            [&] {
                auto more = client.drain();
                out.insert(out.end(), more.begin(), more.end());
                return out.size() >= want;
            },
            limit);
        return out;
    }

    Query ping() {
        Query q;
        q.method = Method::ping;
        q.id = k_client_id;
        return q;
    }

    boost::asio::io_context io_;
    std::unique_ptr<Node> node_;
};

TEST_F(DhtHostile, GarbageAndOversizedDatagramsAreIgnored) {
    RawClient client(io_, 100);
    std::mt19937 rng(1);
    const std::vector<std::string> junk = {"",
                                           "x",
                                           "hello",
                                           "d",
                                           "de",
                                           "le",
                                           "i1e",
                                           "d1:t2:aa1:y1:qe",
                                           "d1:y1:q1:q4:pinge",
                                           "d1:ad2:id2:xxe1:q4:ping1:t2:aa1:y1:qe",
                                           "d1:rd2:id20:abcdefghij0123456789e1:t2:zz1:y1:re",
                                           "d1:eli201e1:xe1:t2:aa1:y1:ee",
                                           std::string(3000, 'd'),
                                           "d1:ad2:id20:"s + std::string(200, 'e')};
    for (const auto& bytes : junk)
        client.send(bytes, k_target);
    for (int i = 0; i < 200; ++i) {
        std::string random(rng() % 300, '\0');
        for (auto& c : random)
            c = static_cast<char>(rng());
        client.send(random, k_target);
        // Let the node read as we go: this test is about parsing, not socket buffers.
        if (i % 20 == 0) {
            io_.restart();
            io_.run_for(5ms);
        }
    }
    // Valid bencode, but far larger than any KRPC message.
    client.send("d1:ad2:id20:abcdefghij01234567895:paddi" + std::string(4000, '1') +
                    "ee1:q4:ping1:t2:aa1:y1:qe",
                k_target);
    // The junk spent the sender's query allowance for this second; another address is
    // served at once.
    RawClient other(io_, 101);
    other.send(make_query("ok", ping()), k_target);
    const auto replies = collect(other, 1);
    ASSERT_FALSE(replies.empty());
    bool pong = false;
    for (const auto& m : replies)
        pong = pong || (m.transaction_id == "ok" && m.is_response());
    EXPECT_TRUE(pong);
    const auto stats = node_->stats();
    EXPECT_GE(stats.dropped_malformed, 200u);
    EXPECT_EQ(stats.dropped_oversized, 2u);
    EXPECT_EQ(stats.dropped_unexpected, 2u);  // the unsolicited response and error
}

TEST_F(DhtHostile, ForgedAndBorrowedTokensAreRefused) {
    RawClient alice(io_, 100);
    RawClient mallory(io_, 101);
    Query get;
    get.method = Method::get_peers;
    get.id = k_client_id;
    get.info_hash = k_hash;
    alice.send(make_query("g1", get), k_target);
    auto got = collect(alice, 1);
    ASSERT_EQ(got.size(), 1u);
    const auto token = std::get<Response>(got[0].body).token;
    ASSERT_TRUE(token);

    Query announce;
    announce.method = Method::announce_peer;
    announce.id = k_client_id;
    announce.info_hash = k_hash;
    announce.port = 4444;
    // A made-up token, and alice's token used from another address: error 203 both times.
    announce.token = "deadbeef";
    mallory.send(make_query("a1", announce), k_target);
    announce.token = *token;
    mallory.send(make_query("a2", announce), k_target);
    const auto refusals = collect(mallory, 2);
    ASSERT_EQ(refusals.size(), 2u);
    for (const auto& m : refusals) {
        ASSERT_TRUE(m.is_error());
        EXPECT_EQ(std::get<ErrorReply>(m.body).code, 203);
    }
    // No peer was stored.
    alice.send(make_query("g2", get), k_target);
    got = collect(alice, 1);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_TRUE(std::get<Response>(got[0].body).values.empty());

    // Alice's own token works for alice.
    alice.send(make_query("a3", announce), k_target);
    got = collect(alice, 1);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_TRUE(got[0].is_response());
    alice.send(make_query("g3", get), k_target);
    got = collect(alice, 1);
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(std::get<Response>(got[0].body).values,
              std::vector<Endpoint>{Endpoint(loopback(100), 4444)});
}

TEST_F(DhtHostile, UnknownMethodsAndBadQueriesGetErrors) {
    RawClient client(io_, 100);
    client.send("d1:ad2:id20:abcdefghij0123456789e1:q6:vote!!1:t2:u11:y1:qe", k_target);
    client.send("d1:ad2:id3:abce1:q4:ping1:t2:u21:y1:qe", k_target);
    const auto replies = collect(client, 2);
    ASSERT_EQ(replies.size(), 2u);
    for (const auto& m : replies) {
        ASSERT_TRUE(m.is_error());
        EXPECT_EQ(std::get<ErrorReply>(m.body).code, m.transaction_id == "u1" ? 204 : 203);
    }
}

TEST_F(DhtHostile, FloodFromOneAddressDoesNotStarveOthers) {
    RawClient flooder(io_, 150);
    RawClient honest(io_, 151);
    std::size_t flood_replies = 0;
    std::size_t honest_replies = 0;
    const auto start = std::chrono::steady_clock::now();
    for (int round = 0; round < 10; ++round) {
        for (int i = 0; i < 200; ++i)
            flooder.send(make_query("f" + std::to_string(i), ping()), k_target);
        honest.send(make_query("h" + std::to_string(round), ping()), k_target);
        io_.restart();
        io_.run_for(50ms);
        flood_replies += flooder.drain().size();
        honest_replies += honest.drain().size();
    }
    io_.restart();
    io_.run_for(100ms);
    flood_replies += flooder.drain().size();
    honest_replies += honest.drain().size();
    const auto seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    EXPECT_EQ(honest_replies, 10u);
    // 20 queries per second per address, in one-second windows.
    EXPECT_LE(flood_replies, static_cast<std::size_t>(20 * (seconds + 1)));
    EXPECT_GT(node_->stats().dropped_rate_limited, 1000u);
}

}  // namespace
}  // namespace shoal::dht
