#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "test_util.hpp"
#include "tracker/swarm_store.hpp"

namespace shoal::tracker {
namespace {

using test::hash_of;
using test::id_of;
using test::v4;
using test::v6;

StoreAnnounce request(int torrent, PeerEndpoint ep, bool seeding, std::uint32_t numwant = 50,
                      AnnounceEvent event = AnnounceEvent::none) {
    StoreAnnounce r;
    r.info_hash = hash_of(torrent);
    r.endpoint = ep;
    r.seeding = seeding;
    r.numwant = numwant;
    r.event = event;
    return r;
}

class SwarmStoreTest : public ::testing::Test {
  protected:
    SwarmStore store{StoreOptions{8, 100, 1}};
    std::vector<PeerInfo> out;
    std::uint32_t now = 1000;

    SwarmCounts announce(const StoreAnnounce& r, std::uint64_t random = 0) {
        out.clear();
        return store.announce(r, now, random, out);
    }
};

TEST_F(SwarmStoreTest, AddUpdateRemoveKeepCounts) {
    auto c = announce(request(1, v4(1, 1), false));
    EXPECT_EQ(c.leechers, 1u);
    EXPECT_EQ(c.seeders, 0u);
    announce(request(1, v4(2, 2), true));
    c = announce(request(1, v4(1, 1), false));  // update, not a second peer
    EXPECT_EQ(c.leechers, 1u);
    EXPECT_EQ(c.seeders, 1u);
    c = announce(request(1, v4(1, 1), true, 50, AnnounceEvent::completed));
    EXPECT_EQ(c.leechers, 0u);
    EXPECT_EQ(c.seeders, 2u);
    EXPECT_EQ(c.completed, 1u);
    // A second "completed" from a seeder does not count again.
    c = announce(request(1, v4(1, 1), true, 50, AnnounceEvent::completed));
    EXPECT_EQ(c.completed, 1u);
    c = announce(request(1, v4(2, 2), true, 50, AnnounceEvent::stopped));
    EXPECT_EQ(c.seeders, 1u);
    EXPECT_TRUE(out.empty());
    auto totals = store.totals();
    EXPECT_EQ(totals.torrents, 1);
    EXPECT_EQ(totals.seeders, 1);
    EXPECT_EQ(totals.leechers, 0);
    auto s = store.scrape(hash_of(1));
    ASSERT_TRUE(s);
    EXPECT_EQ(s->seeders, 1u);
    EXPECT_EQ(s->completed, 1u);
    EXPECT_FALSE(store.scrape(hash_of(2)));
}

TEST_F(SwarmStoreTest, LeecherThatFinishesCountsOnceWithoutCompletedEvent) {
    announce(request(1, v4(1, 1), false));
    auto c = announce(request(1, v4(1, 1), true, 50, AnnounceEvent::stopped));
    EXPECT_EQ(c.completed, 1u);
    EXPECT_EQ(c.seeders + c.leechers, 0u);
    announce(request(1, v4(2, 2), false));
    c = announce(request(1, v4(2, 2), true));
    EXPECT_EQ(c.completed, 2u);
    c = announce(request(1, v4(2, 2), true, 50, AnnounceEvent::completed));
    EXPECT_EQ(c.completed, 2u) << "late completed event counted twice";
    // A peer that starts as a seeder downloaded nothing here.
    c = announce(request(1, v4(3, 3), true, 50, AnnounceEvent::started));
    EXPECT_EQ(c.completed, 2u);
}

TEST_F(SwarmStoreTest, StoppedForUnknownTorrentCreatesNothing) {
    announce(request(3, v4(1, 1), false, 50, AnnounceEvent::stopped));
    EXPECT_EQ(store.totals().torrents, 0);
    EXPECT_FALSE(store.scrape(hash_of(3)));
}

TEST_F(SwarmStoreTest, ExcludesSelfAndHonoursNumwant) {
    for (std::uint16_t p = 1; p <= 30; ++p)
        announce(request(1, v4(p, p), false));
    for (std::uint64_t random : {0ull, 7ull, 29ull, 12345ull}) {
        announce(request(1, v4(5, 5), false, 10), random);
        EXPECT_EQ(out.size(), 10u);
        std::set<std::uint16_t> ports;
        for (const auto& p : out) {
            EXPECT_NE(p.endpoint.port, 5) << "the asking peer was returned";
            ports.insert(p.endpoint.port);
        }
        EXPECT_EQ(ports.size(), out.size()) << "duplicates";
    }
    announce(request(1, v4(5, 5), false, 1000));
    EXPECT_EQ(out.size(), 29u);
    announce(request(1, v4(5, 5), false, 0));
    EXPECT_TRUE(out.empty());
}

TEST_F(SwarmStoreTest, NoSeedsToSeeds) {
    for (std::uint16_t p = 1; p <= 5; ++p)
        announce(request(1, v4(p, p), true));
    for (std::uint16_t p = 6; p <= 8; ++p)
        announce(request(1, v4(p, p), false));
    announce(request(1, v4(1, 1), true, 50));
    ASSERT_EQ(out.size(), 3u);
    for (const auto& p : out)
        EXPECT_GE(p.endpoint.port, 6);
}

TEST_F(SwarmStoreTest, LeecherGetsAMixAndFillsUp) {
    for (std::uint16_t p = 1; p <= 50; ++p)
        announce(request(1, v4(p, p), true));
    for (std::uint16_t p = 51; p <= 100; ++p)
        announce(request(1, v4(p, p), false));
    announce(request(1, v4(200, 200), false, 20), 3);
    ASSERT_EQ(out.size(), 20u);
    const auto seeds = std::count_if(out.begin(), out.end(),
                                     [](const PeerInfo& p) { return p.endpoint.port <= 50; });
    EXPECT_GE(seeds, 8);
    EXPECT_LE(seeds, 12);
    // Few leechers: seeders fill the rest.
    SwarmStore small{StoreOptions{1, 100, 1}};
    for (std::uint16_t p = 1; p <= 10; ++p)
        small.announce(request(2, v4(p, p), true), now, 0, out);
    small.announce(request(2, v4(11, 11), false), now, 0, out);
    out.clear();
    small.announce(request(2, v4(12, 12), false, 8), now, 1, out);
    EXPECT_EQ(out.size(), 8u);
}

TEST_F(SwarmStoreTest, FamiliesAreFiltered) {
    announce(request(1, v4(1, 1), true));
    announce(request(1, v6(2, 2), true));
    auto r = request(1, v4(3, 3), false);
    r.families = {true, false};
    announce(r);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].endpoint.address.family, Family::v4);
    r.families = {false, true};
    announce(r);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].endpoint.address.family, Family::v6);
    EXPECT_EQ(out[0].endpoint.address.bytes[15], 2);
}

TEST_F(SwarmStoreTest, CompactPeersAreThePeersInWireForm) {
    // Two stores fed alike, one asked for PeerInfo, one for compact bytes, with the same random.
    SwarmStore twin{StoreOptions{8, 100, 1}};
    std::vector<std::uint8_t> compact;
    for (int i = 1; i <= 40; ++i) {
        const bool seeding = i % 3 == 0;
        for (const auto& ep : {v4(static_cast<std::uint32_t>(i), static_cast<std::uint16_t>(1000 + i)),
                               v6(static_cast<std::uint8_t>(i), static_cast<std::uint16_t>(2000 + i))}) {
            announce(request(1, ep, seeding));
            compact.clear();
            twin.announce(request(1, ep, seeding), now, 0, compact);
        }
    }
    for (const bool v4_family : {true, false}) {
        for (std::uint64_t random : {0ull, 7ull, 12345ull}) {
            auto r = request(1, v4_family ? v4(99, 99) : v6(99, 99), false, 25);
            r.families = {v4_family, !v4_family};
            const SwarmCounts expected = announce(r, random);
            compact.assign(3, 0xEE);  // appended after what is there
            const SwarmCounts counts = twin.announce(r, now, random, compact);
            EXPECT_EQ(counts.seeders, expected.seeders);
            EXPECT_EQ(counts.leechers, expected.leechers);
            const std::size_t address = v4_family ? 4 : 16;
            ASSERT_EQ(out.size(), 25u);
            ASSERT_EQ(compact.size(), 3 + out.size() * (address + 2));
            for (std::size_t k = 0; k < out.size(); ++k) {
                const std::uint8_t* p = compact.data() + 3 + k * (address + 2);
                EXPECT_TRUE(std::equal(p, p + address, out[k].endpoint.address.bytes.begin()));
                EXPECT_EQ((p[address] << 8) | p[address + 1], out[k].endpoint.port);
            }
        }
    }
}

TEST_F(SwarmStoreTest, ExpiryWithInjectedClock) {
    announce(request(1, v4(1, 1), false));
    announce(request(2, v4(2, 2), true));
    now = 1050;
    announce(request(1, v4(3, 3), false));  // fresh
    now = 1101;                             // peers from t=1000 are past the 100 s timeout
    // Before the sweep the stale peer is no longer handed out.
    announce(request(1, v4(4, 4), false));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].endpoint.port, 3);
    std::size_t removed = 0;
    for (int i = 0; i < 40; ++i)
        removed += store.expire_step(now, 30);
    EXPECT_EQ(removed, 2u);
    EXPECT_FALSE(store.scrape(hash_of(2))) << "empty swarm kept";
    auto s = store.scrape(hash_of(1));
    ASSERT_TRUE(s);
    EXPECT_EQ(s->leechers, 2u);
    EXPECT_EQ(store.totals().torrents, 1);
    EXPECT_EQ(store.totals().leechers, 2);
    EXPECT_EQ(store.totals().seeders, 0);
}

TEST_F(SwarmStoreTest, PeersSurviveMovesStopsAndExpiryWithoutTheirIds) {
    for (std::uint16_t p = 1; p <= 40; ++p) {
        now = 1000 + p;
        announce(request(1, v4(p, p), p % 3 == 0));
    }
    announce(request(1, v4(25, 25), false, 50, AnnounceEvent::stopped));
    announce(request(1, v4(7, 7), true));     // leecher becomes a seeder
    announce(request(1, v4(30, 30), false));  // seeder becomes a leecher
    now = 1120;  // peers last seen before 1020 expire, except 7 which announced again
    for (int i = 0; i < 40; ++i)
        store.expire_step(now, 30);
    auto r = request(1, v4(200, 200), false, 100);
    announce(r);
    std::set<std::uint16_t> ports;
    for (const auto& p : out) {
        EXPECT_EQ(p.peer_id, PeerId{}) << "peer ids are not kept";
        ports.insert(p.endpoint.port);
    }
    std::set<std::uint16_t> expected = {7};
    for (std::uint16_t p = 20; p <= 40; ++p) {
        if (p != 25)
            expected.insert(p);
    }
    EXPECT_EQ(ports, expected);
}

TEST_F(SwarmStoreTest, ExpiryIsIncrementalButCoversEverything) {
    for (int t = 0; t < 2000; ++t)
        announce(request(t, v4(1, 1), false));
    now += 500;
    const std::size_t first = store.expire_step(now, 30);
    EXPECT_GT(first, 0u);
    EXPECT_LT(first, 2000u) << "one step must not sweep everything";
    std::size_t total = first;
    for (int i = 0; i < 40; ++i)
        total += store.expire_step(now, 30);
    EXPECT_EQ(total, 2000u);
    EXPECT_EQ(store.totals().torrents, 0);
}

}  // namespace
}  // namespace shoal::tracker
