// Choosing whom we upload to: by what peers give us while downloading, in rotation while
// seeding, plus one optimistic unchoke; and unchoking at once on interest while slots last.
#include <gtest/gtest.h>

#include "swarm/choker.hpp"

using namespace shoal;
using namespace std::chrono_literals;
using choker::PeerKey;
using choker::PeerSnapshot;

namespace {

const choker::Clock::time_point t0{std::chrono::hours(10)};

struct Peers {
    char keys[16] = {};
    PeerKey key(int i) const { return &keys[i]; }
    PeerSnapshot interested(int i, double rate = 0) const {
        PeerSnapshot p;
        p.key = key(i);
        p.interested = true;
        p.download_rate = rate;
        return p;
    }
};

}  // namespace

TEST(Choker, DownloadingUnchokesTheFastestAndOneOptimisticAmongTheRest) {
    Peers ps;
    std::vector<PeerSnapshot> peers{ps.interested(0, 10), ps.interested(1, 500), ps.interested(2, 300),
                                    ps.interested(3, 50), ps.interested(4, 1)};
    PeerSnapshot not_interested = ps.interested(5, 10000);
    not_interested.interested = false;
    peers.push_back(not_interested);
    SmallRandom rng(1);
    const auto d = choker::rechoke(peers, 2, false, t0, true, std::nullopt, rng);
    ASSERT_TRUE(d.optimistic.has_value());
    EXPECT_TRUE(d.unchoke.contains(ps.key(1)));
    EXPECT_TRUE(d.unchoke.contains(ps.key(2)));
    EXPECT_TRUE(d.unchoke.contains(*d.optimistic));
    EXPECT_NE(*d.optimistic, ps.key(1));
    EXPECT_NE(*d.optimistic, ps.key(2));
    EXPECT_NE(*d.optimistic, ps.key(5));
    EXPECT_EQ(d.unchoke.size(), 3u);
}

TEST(Choker, OptimisticUnchokeStaysUntilRotatedOrGone) {
    Peers ps;
    std::vector<PeerSnapshot> peers{ps.interested(0, 9), ps.interested(1), ps.interested(2), ps.interested(3)};
    SmallRandom rng(7);
    auto d = choker::rechoke(peers, 1, false, t0, false, ps.key(3), rng);
    EXPECT_EQ(d.optimistic, ps.key(3));
    EXPECT_EQ(d.unchoke, (std::set<PeerKey>{ps.key(0), ps.key(3)}));

    // No longer interested: another is drawn.
    peers[3].interested = false;
    d = choker::rechoke(peers, 1, false, t0, false, ps.key(3), rng);
    ASSERT_TRUE(d.optimistic.has_value());
    EXPECT_TRUE(*d.optimistic == ps.key(1) || *d.optimistic == ps.key(2));

    // Closed, or no longer among the peers: another is drawn too.
    peers[3].interested = true;
    peers[3].is_open = false;
    d = choker::rechoke(peers, 1, false, t0, false, ps.key(3), rng);
    EXPECT_NE(d.optimistic, ps.key(3));
    d = choker::rechoke(peers, 1, false, t0, false, ps.key(9), rng);
    EXPECT_NE(d.optimistic, ps.key(9));
}

TEST(Choker, RotationDrawsEveryCandidateInTime) {
    Peers ps;
    std::vector<PeerSnapshot> peers{ps.interested(0, 9), ps.interested(1), ps.interested(2), ps.interested(3)};
    SmallRandom rng(3);
    std::set<PeerKey> drawn;
    std::optional<PeerKey> optimistic;
    for (int i = 0; i < 200; ++i) {
        optimistic = choker::rechoke(peers, 1, false, t0, true, optimistic, rng).optimistic;
        drawn.insert(*optimistic);
    }
    EXPECT_EQ(drawn, (std::set<PeerKey>{ps.key(1), ps.key(2), ps.key(3)}));
}

TEST(Choker, SeedingKeepsFreshUnchokesThenServesWhoWaitedLongest) {
    Peers ps;
    std::vector<PeerSnapshot> peers;
    // 0: unchoked 10 s ago (fresh); 1: unchoked 40 s ago (stale); 2 and 3 choked, 3 waiting longest.
    peers.push_back(ps.interested(0));
    peers.back().am_choking = false;
    peers.back().last_unchoked = t0 - 10s;
    peers.push_back(ps.interested(1));
    peers.back().am_choking = false;
    peers.back().last_unchoked = t0 - 40s;
    peers.push_back(ps.interested(2));
    peers.back().last_unchoked = t0 - 100s;
    peers.push_back(ps.interested(3));
    peers.back().last_unchoked = t0 - 200s;
    peers[1].download_rate = 1e9;  // rates do not matter when seeding
    SmallRandom rng(1);
    const auto d = choker::rechoke(peers, 2, true, t0, false, ps.key(2), rng);
    EXPECT_EQ(d.unchoke, (std::set<PeerKey>{ps.key(0), ps.key(3), ps.key(2)}));
    EXPECT_EQ(d.optimistic, ps.key(2));
}

TEST(Choker, NobodyInterestedMeansNobodyUnchoked) {
    Peers ps;
    PeerSnapshot p = ps.interested(0);
    p.interested = false;
    p.am_choking = false;
    SmallRandom rng(1);
    const auto d = choker::rechoke({p}, 4, false, t0, true, std::nullopt, rng);
    EXPECT_TRUE(d.unchoke.empty());
    EXPECT_FALSE(d.optimistic.has_value());
}

TEST(Choker, InterestUnchokesAtOnceWhileSlotsLast) {
    Peers ps;
    const PeerSnapshot wants = ps.interested(0);
    EXPECT_EQ(choker::on_interest(wants, 0, 4), false);
    EXPECT_EQ(choker::on_interest(wants, 4, 4), false);  // the optimistic slot
    EXPECT_EQ(choker::on_interest(wants, 5, 4), std::nullopt);
    PeerSnapshot lost = wants;
    lost.interested = false;
    lost.am_choking = false;
    EXPECT_EQ(choker::on_interest(lost, 1, 4), true);
    lost.am_choking = true;
    EXPECT_EQ(choker::on_interest(lost, 1, 4), std::nullopt);
    PeerSnapshot served = wants;
    served.am_choking = false;
    EXPECT_EQ(choker::on_interest(served, 1, 4), std::nullopt);
}
