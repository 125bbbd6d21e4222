// The peers a torrent may dial: back-off after failed dials, the cap on candidates, redials
// of dropped peers, strikes and bans. Time is passed in; nothing is dialed.
#include <gtest/gtest.h>

#include "swarm/duplicate_connection.hpp"
#include "swarm/peer_list.hpp"

using namespace shoal;
using namespace std::chrono_literals;

namespace {

using Endpoint = PeerList::Endpoint;

Endpoint peer(int n, std::uint16_t port = 6881) {
    return {boost::asio::ip::make_address("10.0.0." + std::to_string(n)), port};
}

const auto never_connected = [](const Endpoint&) { return false; };
const PeerList::Clock::time_point t0{std::chrono::hours(1)};

std::vector<Endpoint> endpoints(const std::vector<PeerList::Candidate>& cs) {
    std::vector<Endpoint> out;
    for (const auto& c : cs) out.push_back(c.endpoint);
    return out;
}

}  // namespace

TEST(PeerList, RefusesDuplicatesPortZeroAndBannedPeers) {
    PeerList list;
    EXPECT_TRUE(list.add(peer(1)));
    EXPECT_FALSE(list.add(peer(1)));
    EXPECT_FALSE(list.add(peer(2, 0)));
    list.ban(peer(3).address());
    EXPECT_FALSE(list.add(peer(3, 9999)));
    EXPECT_EQ(list.candidates().size(), 1u);
}

TEST(PeerList, HoldsAtMostTheCapOfCandidates) {
    PeerList list;
    for (std::size_t i = 0; i < PeerList::k_max_candidates; ++i) {
        ASSERT_TRUE(list.add(peer(1, static_cast<std::uint16_t>(1000 + i))));
    }
    EXPECT_FALSE(list.add(peer(2)));
    EXPECT_EQ(list.candidates().size(), PeerList::k_max_candidates);
}

TEST(PeerList, TakesNoMoreThanTheBudgetInOrder) {
    PeerList list;
    for (int i = 1; i <= 5; ++i) list.add(peer(i));
    EXPECT_EQ(endpoints(list.take_due(t0, 2, never_connected)), (std::vector{peer(1), peer(2)}));
    EXPECT_EQ(list.connecting(), 2u);
    EXPECT_TRUE(list.tried(peer(1)));
    EXPECT_FALSE(list.tried(peer(3)));
    EXPECT_TRUE(list.take_due(t0, 0, never_connected).empty());
    EXPECT_EQ(list.candidates().size(), 3u);
}

TEST(PeerList, SkipsConnectedAndBeingDialedWithoutSpendingTheBudget) {
    PeerList list;
    list.add(peer(1));
    list.add(peer(2));
    list.add(peer(3));
    auto taken = list.take_due(t0, 1, [](const Endpoint& e) { return e == peer(1); });
    EXPECT_EQ(endpoints(taken), std::vector{peer(2)});
    // peer(1) was dropped as connected; peer(2) is being dialed, so a second entry goes too.
    list.add(peer(2));
    EXPECT_EQ(endpoints(list.take_due(t0, 5, never_connected)), std::vector{peer(3)});
    EXPECT_TRUE(list.candidates().empty());
    list.dial_ended(peer(2));
    EXPECT_EQ(list.connecting(), 1u);
}

TEST(PeerList, FailedDialsBackOffExponentiallyThenGiveUp) {
    PeerList list;
    list.add(peer(1));
    auto now = t0;
    std::vector<std::chrono::seconds> waits;
    for (int dial = 0; dial < 10; ++dial) {
        auto taken = list.take_due(now, 1, never_connected);
        if (taken.empty()) break;
        list.dial_ended(peer(1));
        list.dial_failed(taken[0], now);
        if (list.candidates().empty()) break;
        const auto next = list.candidates()[0].next_try;
        waits.push_back(std::chrono::duration_cast<std::chrono::seconds>(next - now));
        // Not due a moment before its time.
        EXPECT_TRUE(list.take_due(next - 1ms, 1, never_connected).empty());
        now = next;
    }
    EXPECT_EQ(waits, (std::vector<std::chrono::seconds>{2s, 4s, 8s, 16s}));
    EXPECT_TRUE(list.candidates().empty());
}

TEST(PeerList, DroppedDialedPeersAreRedialedABoundedNumberOfTimes) {
    PeerList list;
    list.dropped(peer(9), t0);  // never dialed: an incoming peer is not dialed back
    EXPECT_TRUE(list.candidates().empty());

    list.add(peer(1));
    list.take_due(t0, 1, never_connected);
    list.dial_ended(peer(1));
    int redials = 0;
    auto now = t0;
    for (int i = 0; i < 20; ++i) {
        list.dropped(peer(1), now);
        if (list.candidates().empty()) break;
        EXPECT_EQ(list.candidates()[0].next_try, now + PeerList::k_redial_delay);
        now += PeerList::k_redial_delay;
        ASSERT_EQ(list.take_due(now, 1, never_connected).size(), 1u);
        list.dial_ended(peer(1));
        ++redials;
    }
    EXPECT_EQ(redials, PeerList::k_max_redials);
}

TEST(PeerList, ADialedPeerRefusedDuringARecheckIsDialedAgain) {
    PeerList list;
    list.refused_dialed_peer(peer(1), t0);
    EXPECT_TRUE(list.candidates().empty());
    list.add(peer(1));
    list.take_due(t0, 1, never_connected);
    list.refused_dialed_peer(peer(1), t0);
    ASSERT_EQ(list.candidates().size(), 1u);
    EXPECT_EQ(list.candidates()[0].next_try, t0 + PeerList::k_redial_delay);
}

TEST(PeerList, TwoStrikesBanAndABanForgetsTheAddress) {
    PeerList list;
    list.add(peer(1, 1));
    list.add(peer(1, 2));
    list.add(peer(2));
    EXPECT_FALSE(list.strike(peer(1).address()));
    EXPECT_TRUE(list.strike(peer(1).address()));
    EXPECT_TRUE(list.ban(peer(1).address()));
    EXPECT_FALSE(list.ban(peer(1).address()));
    EXPECT_TRUE(list.banned(peer(1).address()));
    EXPECT_EQ(endpoints(list.candidates()), std::vector{peer(2)});
    // Nor is a banned peer redialed after it drops.
    list.add(peer(3));
    list.take_due(t0, 5, never_connected);
    list.ban(peer(3).address());
    list.dropped(peer(3), t0);
    EXPECT_TRUE(list.candidates().empty());
}

namespace shoal {
namespace {

TEST(DuplicateConnection, BothSidesKeepTheSameOneOfTwoConnections) {
    wire::PeerId a{}, b{};
    a.fill('a');
    b.fill('b');
    for (int i = 0; i < 20; ++i) {
        a[19] = static_cast<std::uint8_t>(i * 37);
        b[7] = static_cast<std::uint8_t>(i * 11);
        // a keeps the one a dialed exactly when b keeps the one a dialed (b did not dial it).
        EXPECT_NE(keep_the_one_we_dialed(a, b), keep_the_one_we_dialed(b, a)) << i;
    }
}

}  // namespace
}  // namespace shoal

TEST(PeerList, RemembersPerEndpointThatOnlyPlainTextWorked) {
    PeerList list;
    EXPECT_FALSE(list.plain_only(peer(1)));
    list.note_plain_only(peer(1));
    EXPECT_TRUE(list.plain_only(peer(1)));
    EXPECT_FALSE(list.plain_only(peer(1, 6882)));
    EXPECT_FALSE(list.plain_only(peer(2)));
}

// Hole punching dials at once, whatever the candidates' order; a peer being dialed is not
// dialed twice, and a banned one never.
TEST(PeerList, StartDialTakesThePeerOutOfTheCandidates) {
    PeerList list;
    ASSERT_TRUE(list.add(peer(1)));
    EXPECT_TRUE(list.start_dial(peer(1)));
    EXPECT_TRUE(list.candidates().empty());
    EXPECT_EQ(list.connecting(), 1u);
    EXPECT_TRUE(list.tried(peer(1)));
    EXPECT_FALSE(list.start_dial(peer(1))) << "being dialed already";
    EXPECT_FALSE(list.start_dial(peer(2, 0))) << "no port";
    list.ban(peer(3).address());
    EXPECT_FALSE(list.start_dial(peer(3)));
}

TEST(PeerList, ACandidateThatFailedIsKnownAsFailed) {
    PeerList list;
    ASSERT_TRUE(list.add(peer(1)));
    EXPECT_FALSE(list.failed(peer(1)));
    auto taken = list.take_due(t0, 1, never_connected);
    ASSERT_EQ(taken.size(), 1u);
    list.dial_failed(taken[0], t0);
    EXPECT_TRUE(list.failed(peer(1)));
}
