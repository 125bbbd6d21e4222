// Peer exchange across a torrent's peers: who is told about whom, and how often.
#include <gtest/gtest.h>

#include "swarm/pex_schedule.hpp"

using namespace shoal;
using namespace std::chrono_literals;

namespace {

using Endpoint = PexSchedule::Endpoint;
const PexSchedule::Clock::time_point t0{std::chrono::hours(3)};

Endpoint at(int n, std::uint16_t port) { return {boost::asio::ip::make_address("10.0.0." + std::to_string(n)), port}; }

struct Swarm {
    int keys[8] = {};
    std::vector<PexSchedule::PeerSnapshot> peers;
    void add(int i, std::optional<Endpoint> listen, bool speaks_pex, bool seed = false, bool utp = false,
             bool we_dialed = false, bool holepunch = false) {
        peers.push_back({&keys[i], at(i, 40000), listen, seed, speaks_pex, utp, we_dialed, holepunch});
    }
};

std::set<Endpoint> added(const wire::PexMessage& m) {
    std::set<Endpoint> out;
    for (const auto& p : m.added) out.insert(p.endpoint);
    return out;
}

}  // namespace

TEST(PexSchedule, TellsEachPexPeerOfTheOthersThatAcceptConnections) {
    Swarm s;
    s.add(0, at(0, 6881), true);
    s.add(1, at(1, 6881), true, true);
    s.add(2, std::nullopt, true);  // never said where it listens: not passed on
    s.add(3, at(3, 6881), false);  // does not speak ut_pex: told nothing
    PexSchedule schedule;
    const auto messages = schedule.update(s.peers, t0);
    ASSERT_EQ(messages.size(), 3u);
    std::map<void*, wire::PexMessage> by_peer(messages.begin(), messages.end());
    EXPECT_EQ(added(by_peer.at(&s.keys[0])), (std::set{at(1, 6881), at(3, 6881)}));
    EXPECT_EQ(added(by_peer.at(&s.keys[1])), (std::set{at(0, 6881), at(3, 6881)}));
    // The one without a listen port is still told, and not about itself by its remote end.
    EXPECT_EQ(added(by_peer.at(&s.keys[2])), (std::set{at(0, 6881), at(1, 6881), at(3, 6881)}));
    for (const auto& p : by_peer.at(&s.keys[0]).added) {
        const bool seed = p.flags & wire::pex_flag::seed;
        EXPECT_EQ(seed, p.endpoint == at(1, 6881));
    }
}

// BEP 11: "reachable" says we connected out to the peer; a peer that only connected in may sit
// behind a NAT, and one that speaks ut_holepunch can then be reached through us (BEP 55).
TEST(PexSchedule, ReachableOnlyWhenWeDialedAndHolepunchWhenSpoken) {
    Swarm s;
    s.add(0, at(0, 6881), true);
    s.add(1, at(1, 6881), false, false, false, /*we_dialed=*/true);
    s.add(2, at(2, 6881), false, false, true, /*we_dialed=*/false, /*holepunch=*/true);
    PexSchedule schedule;
    const auto messages = schedule.update(s.peers, t0);
    ASSERT_EQ(messages.size(), 1u);
    ASSERT_EQ(messages[0].second.added.size(), 2u);
    for (const auto& p : messages[0].second.added) {
        const bool dialed = p.endpoint == at(1, 6881);
        EXPECT_EQ((p.flags & wire::pex_flag::reachable) != 0, dialed);
        EXPECT_EQ((p.flags & wire::pex_flag::holepunch) != 0, !dialed);
    }
}

TEST(PexSchedule, PeersConnectedOverUtpArePassedOnAsSpeakingIt) {
    Swarm s;
    s.add(0, at(0, 6881), true);
    s.add(1, at(1, 6881), false, false, true);
    s.add(2, at(2, 6881), false);
    PexSchedule schedule;
    const auto messages = schedule.update(s.peers, t0);
    ASSERT_EQ(messages.size(), 1u);
    for (const auto& p : messages[0].second.added) {
        const bool utp = p.flags & wire::pex_flag::supports_utp;
        EXPECT_EQ(utp, p.endpoint == at(1, 6881));
    }
}

TEST(PexSchedule, AtMostOnceAMinuteAndOnlyChanges) {
    Swarm s;
    s.add(0, at(0, 6881), true);
    s.add(1, at(1, 6881), false);
    PexSchedule schedule;
    ASSERT_EQ(schedule.update(s.peers, t0).size(), 1u);
    s.add(2, at(2, 6881), false);
    EXPECT_TRUE(schedule.update(s.peers, t0 + 59s).empty());
    const auto later = schedule.update(s.peers, t0 + 60s);
    ASSERT_EQ(later.size(), 1u);
    EXPECT_EQ(added(later[0].second), std::set{at(2, 6881)});
    EXPECT_TRUE(schedule.update(s.peers, t0 + 200s).empty());  // nothing changed
    s.peers.erase(s.peers.begin() + 1);
    const auto dropped = schedule.update(s.peers, t0 + 300s);
    ASSERT_EQ(dropped.size(), 1u);
    EXPECT_EQ(dropped[0].second.dropped, std::vector{at(1, 6881)});
}

TEST(PexSchedule, APeerThatLeftStartsAfreshWhenItComesBack) {
    Swarm s;
    s.add(0, at(0, 6881), true);
    s.add(1, at(1, 6881), false);
    PexSchedule schedule;
    ASSERT_EQ(schedule.update(s.peers, t0).size(), 1u);
    schedule.peer_gone(&s.keys[0]);
    const auto again = schedule.update(s.peers, t0 + 1s);
    ASSERT_EQ(again.size(), 1u);
    EXPECT_EQ(added(again[0].second), std::set{at(1, 6881)});
}
