// Votes on our external address: one per source network, for 30 minutes, and a change only
// when most live votes agree.

#include <gtest/gtest.h>

#include "discovery/dht/external_address.hpp"

namespace shoal::dht {
namespace {

using std::chrono::minutes;

Address ip(const char* text) {
    return boost::asio::ip::make_address(text);
}

// A voter in network `n` (a /24 of its own), host `host` in it.
Address voter(unsigned n, unsigned host = 1) {
    return boost::asio::ip::make_address_v4(0xc6000000u + (n << 8) + host);
}

const Address k_ours = ip("203.0.113.1");
const Address k_other = ip("203.0.113.9");

TEST(dht_external_address, SettlesOnceEnoughNetworksAgree) {
    ExternalAddressVotes votes;
    const TimePoint t0{};
    EXPECT_FALSE(votes.address());
    EXPECT_FALSE(votes.add(k_ours, voter(1), t0));
    EXPECT_FALSE(votes.add(k_ours, voter(2), t0));
    EXPECT_FALSE(votes.address());
    EXPECT_TRUE(votes.add(k_ours, voter(3), t0));
    EXPECT_EQ(votes.address(), k_ours);
    EXPECT_EQ(votes.voters(k_ours, t0), 3u);
    EXPECT_FALSE(votes.add(k_ours, voter(4), t0));
}

// A node repeating itself, or its neighbours in the same /24 (/64 for IPv6), count once.
TEST(dht_external_address, OneVotePerSourceNetwork) {
    ExternalAddressVotes votes;
    const TimePoint t0{};
    for (unsigned host = 1; host <= 50; ++host) {
        votes.add(k_other, voter(7, host), t0);
        votes.add(k_other, voter(7, 1), t0);
    }
    EXPECT_EQ(votes.voters(k_other, t0), 1u);
    for (unsigned host = 1; host <= 50; ++host)
        votes.add(k_other, ip(("2001:db8:5:6::" + std::to_string(host)).c_str()), t0);
    EXPECT_EQ(votes.voters(k_other, t0), 2u);
    EXPECT_FALSE(votes.address());

    // A network's last word replaces its earlier one.
    votes.add(k_ours, voter(7, 9), t0);
    EXPECT_EQ(votes.voters(k_other, t0), 1u);
    EXPECT_EQ(votes.voters(k_ours, t0), 1u);
}

TEST(dht_external_address, VotesExpire) {
    ExternalAddressVotes votes;
    const TimePoint t0{};
    for (unsigned n = 1; n <= 3; ++n)
        votes.add(k_ours, voter(n), t0);
    EXPECT_EQ(votes.voters(k_ours, t0 + minutes(29)), 3u);
    EXPECT_EQ(votes.voters(k_ours, t0 + minutes(30)), 0u);
    // A repeated vote keeps counting.
    votes.add(k_ours, voter(1), t0 + minutes(20));
    EXPECT_EQ(votes.voters(k_ours, t0 + minutes(40)), 1u);
    // The settled address stays until a majority says otherwise, even with no live votes.
    EXPECT_EQ(votes.address(), k_ours);
}

// A trickle of liars from ever new networks must not outvote the nodes that keep telling
// the truth, however long it goes on.
TEST(dht_external_address, SlowSybilsDoNotAccumulate) {
    ExternalAddressVotes votes;
    const TimePoint t0{};
    for (unsigned step = 0; step < 24; ++step) {
        const TimePoint t = t0 + minutes(10) * step;
        for (unsigned n = 1; n <= 4; ++n)
            votes.add(k_ours, voter(n), t);
        votes.add(k_other, voter(100 + step), t);
        ASSERT_EQ(votes.address(), k_ours) << "after " << step * 10 << " minutes";
    }
    EXPECT_EQ(votes.voters(k_other, t0 + minutes(230)), 3u);
}

TEST(dht_external_address, ChangesOnlyOnAClearMajority) {
    ExternalAddressVotes votes;
    const TimePoint t0{};
    for (unsigned n = 1; n <= 3; ++n)
        votes.add(k_ours, voter(n), t0);
    ASSERT_EQ(votes.address(), k_ours);
    // Three to three is no majority; neither is the plurality in a three-way split.
    for (unsigned n = 4; n <= 6; ++n)
        EXPECT_FALSE(votes.add(k_other, voter(n), t0));
    for (unsigned n = 7; n <= 8; ++n)
        EXPECT_FALSE(votes.add(ip("203.0.113.50"), voter(n), t0));
    EXPECT_FALSE(votes.add(k_other, voter(9), t0));
    EXPECT_EQ(votes.address(), k_ours);
    // Once the other address holds more than half of the live votes, it wins.
    EXPECT_FALSE(votes.add(k_other, voter(10), t0));
    EXPECT_TRUE(votes.add(k_other, voter(11), t0));
    EXPECT_EQ(votes.address(), k_other);
}

// The table of votes is bounded; while it is full, new networks wait for votes to expire
// (rather than pushing out the nodes that keep answering us).
TEST(dht_external_address, VotersAreBounded) {
    ExternalAddressVotes votes(ExternalAddressRules{.max_votes = 4});
    const TimePoint t0{};
    for (unsigned n = 1; n <= 4; ++n)
        votes.add(k_ours, voter(n), t0);
    for (unsigned n = 5; n <= 100; ++n)
        votes.add(k_other, voter(n), t0 + minutes(1));
    EXPECT_EQ(votes.voters(k_other, t0 + minutes(1)), 0u);
    EXPECT_EQ(votes.address(), k_ours);
    const TimePoint later = t0 + minutes(31);
    for (unsigned n = 5; n <= 7; ++n)
        votes.add(k_other, voter(n), later);
    EXPECT_EQ(votes.voters(k_other, later), 3u);
    EXPECT_EQ(votes.address(), k_other);
}

}  // namespace
}  // namespace shoal::dht
