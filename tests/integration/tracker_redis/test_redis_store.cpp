#include <gtest/gtest.h>

#include <hiredis/hiredis.h>

#include <algorithm>
#include <optional>
#include <set>
#include <thread>

#include "redis_server.hpp"
#include "redis_test_util.hpp"
#include "test_util.hpp"
#include "tracker/redis_store.hpp"

namespace shoal::tracker {
namespace {

using test::run_until;

struct Answer {
    StoreStatus status = StoreStatus::unavailable;
    SwarmCounts counts;
    std::vector<PeerInfo> peers;
};

class RedisStoreTest : public ::testing::Test {
  protected:
    void SetUp() override { open(2400); }

    void open(std::uint32_t peer_timeout) {
        store.reset();
        up = false;
        RedisOptions options;
        options.url = *parse_redis_url(server.url());
        store.emplace(ioc.get_executor(), std::move(options), "test:", peer_timeout,
                      [this](bool up, const std::string&) { this->up = up; });
        store->start();
        ASSERT_TRUE(run_until(ioc, [this] { return up; }));
    }

    Answer announce(int torrent, const PeerEndpoint& peer, bool seeding,
                    AnnounceEvent event = AnnounceEvent::none, std::uint32_t numwant = 50,
                    FamilyMask families = {true, true}) {
        StoreAnnounce a;
        a.info_hash = test::hash_of(torrent);
        a.peer_id = test::id_of(peer.port);
        a.endpoint = peer;
        a.seeding = seeding;
        a.event = event;
        a.numwant = numwant;
        a.families = families;
        std::optional<Answer> answer;
        store->announce(a, [&](StoreStatus s, SwarmCounts c, std::vector<PeerInfo> p) {
            answer = Answer{s, c, std::move(p)};
        });
        EXPECT_TRUE(run_until(ioc, [&] { return answer.has_value(); }));
        return answer.value_or(Answer{});
    }

    std::vector<SwarmCounts> scrape(std::vector<InfoHash> hashes) {
        std::optional<std::vector<SwarmCounts>> result;
        store->scrape(hashes, [&](StoreStatus s, std::vector<SwarmCounts> c) {
            EXPECT_EQ(s, StoreStatus::ok);
            result = std::move(c);
        });
        EXPECT_TRUE(run_until(ioc, [&] { return result.has_value(); }));
        return result.value_or(std::vector<SwarmCounts>{});
    }

    // A second connection, for looking at and changing the server behind the store's back.
    long long command_integer(std::vector<std::string> args) {
        RedisOptions options;
        options.url = *parse_redis_url(server.url());
        bool side_up = false;
        RedisConnection side(ioc.get_executor(), std::move(options),
                             [&](bool u, const std::string&) { side_up = u; });
        side.start();
        EXPECT_TRUE(run_until(ioc, [&] { return side_up; }));
        std::vector<std::string_view> argv(args.begin(), args.end());
        std::optional<long long> value;
        EXPECT_EQ(side.command(argv,
                               [&](const redisReply* r) {
                                   value = r != nullptr && r->type == REDIS_REPLY_INTEGER
                                               ? r->integer
                                               : -1000;
                               }),
                  RedisConnection::Submit::queued);
        EXPECT_TRUE(run_until(ioc, [&] { return value.has_value(); }));
        side.stop();
        return value.value_or(-1000);
    }

    test::RedisServer server;
    boost::asio::io_context ioc;
    std::optional<RedisStore> store;
    bool up = false;
};

std::set<std::uint16_t> ports(const std::vector<PeerInfo>& peers) {
    std::set<std::uint16_t> out;
    for (const auto& p : peers)
        out.insert(p.endpoint.port);
    return out;
}

TEST_F(RedisStoreTest, PeersFindEachOtherAndAreCounted) {
    const Answer first = announce(1, test::v4(0x0A000001, 1001), false);
    ASSERT_EQ(first.status, StoreStatus::ok);
    EXPECT_TRUE(first.peers.empty());
    EXPECT_EQ(first.counts.leechers, 1u);

    const Answer second = announce(1, test::v4(0x0A000002, 1002), false);
    ASSERT_EQ(second.status, StoreStatus::ok);
    ASSERT_EQ(second.peers.size(), 1u);
    EXPECT_EQ(second.peers[0].endpoint, test::v4(0x0A000001, 1001));
    EXPECT_EQ(second.counts.leechers, 2u);
    EXPECT_EQ(second.counts.seeders, 0u);
    // Another torrent is another swarm.
    EXPECT_TRUE(announce(2, test::v4(0x0A000003, 1003), false).peers.empty());
}

TEST_F(RedisStoreTest, ASeederIsSentOnlyLeechers) {
    announce(1, test::v4(0x0A000001, 1001), true);
    announce(1, test::v4(0x0A000002, 1002), false);
    const Answer seeder = announce(1, test::v4(0x0A000003, 1003), true);
    EXPECT_EQ(ports(seeder.peers), std::set<std::uint16_t>{1002});
    EXPECT_EQ(seeder.counts.seeders, 2u);
    EXPECT_EQ(seeder.counts.leechers, 1u);
    const Answer leecher = announce(1, test::v4(0x0A000004, 1004), false);
    EXPECT_EQ(ports(leecher.peers), (std::set<std::uint16_t>{1001, 1002, 1003}));
}

TEST_F(RedisStoreTest, ADownloadCountsOnceAndStoppedPeersLeave) {
    const auto peer = test::v4(0x0A000001, 1001);
    announce(1, peer, false, AnnounceEvent::started);
    EXPECT_EQ(announce(1, peer, true, AnnounceEvent::completed).counts.completed, 1u);
    const Answer again = announce(1, peer, true);
    EXPECT_EQ(again.counts.completed, 1u);
    EXPECT_EQ(again.counts.seeders, 1u);
    EXPECT_EQ(again.counts.leechers, 0u);
    const Answer stopped = announce(1, peer, true, AnnounceEvent::stopped);
    EXPECT_EQ(stopped.counts.seeders, 0u);
    EXPECT_TRUE(announce(1, test::v4(0x0A000002, 1002), false).peers.empty());
}

TEST_F(RedisStoreTest, RepliesAreRandomDistinctAndNeverTheAsker) {
    for (std::uint16_t i = 0; i < 100; ++i)
        announce(1, test::v4(0x0A000100 + i, static_cast<std::uint16_t>(2000 + i)), false);
    const auto me = test::v4(0x0A000100, 2000);
    std::set<std::set<std::uint16_t>> seen;
    for (int round = 0; round < 5; ++round) {
        const Answer a = announce(1, me, false, AnnounceEvent::none, 10);
        ASSERT_EQ(a.peers.size(), 10u);
        const auto got = ports(a.peers);
        EXPECT_EQ(got.size(), 10u);
        EXPECT_FALSE(got.contains(2000));
        seen.insert(got);
    }
    EXPECT_GT(seen.size(), 1u);
}

TEST_F(RedisStoreTest, FamiliesAreKeptApartButCountedTogether) {
    announce(1, test::v6(1, 1001), false);
    announce(1, test::v4(0x0A000001, 1002), false);
    const Answer v4_only = announce(1, test::v4(0x0A000002, 1003), false, AnnounceEvent::none,
                                    50, FamilyMask{true, false});
    EXPECT_EQ(ports(v4_only.peers), std::set<std::uint16_t>{1002});
    EXPECT_EQ(v4_only.counts.leechers, 3u);
    const Answer both = announce(1, test::v4(0x0A000003, 1004), false);
    EXPECT_EQ(ports(both.peers), (std::set<std::uint16_t>{1001, 1002, 1003}));
    for (const auto& p : both.peers) {
        if (p.endpoint.port == 1001) {
            EXPECT_EQ(p.endpoint, test::v6(1, 1001));
        }
    }
}

TEST_F(RedisStoreTest, StalePeersAreNeitherSentNorCountedAndKeysExpire) {
    open(2);
    announce(1, test::v4(0x0A000001, 1001), false);
    const std::string key = "test:{" + test::hash_of(1).hex() + "}:l4";
    const long long ttl = command_integer({"TTL", key});
    EXPECT_GE(ttl, 1);
    EXPECT_LE(ttl, 2);
    std::this_thread::sleep_for(std::chrono::milliseconds(3100));
    const Answer later = announce(1, test::v4(0x0A000002, 1002), false);
    EXPECT_TRUE(later.peers.empty());
    EXPECT_EQ(later.counts.leechers, 1u);
}

TEST_F(RedisStoreTest, ScrapeCountsEachTorrentAndZeroForUnknownOnes) {
    announce(1, test::v4(0x0A000001, 1001), true);
    announce(1, test::v4(0x0A000002, 1002), false);
    announce(2, test::v4(0x0A000003, 1003), false);
    const auto counts = scrape({test::hash_of(1), test::hash_of(3), test::hash_of(2)});
    ASSERT_EQ(counts.size(), 3u);
    EXPECT_EQ(counts[0].seeders, 1u);
    EXPECT_EQ(counts[0].leechers, 1u);
    EXPECT_EQ(counts[1].seeders + counts[1].leechers, 0u);
    EXPECT_EQ(counts[2].leechers, 1u);
}

TEST_F(RedisStoreTest, AnnouncesWorkAfterTheServerForgetsItsScripts) {
    announce(1, test::v4(0x0A000001, 1001), false);
    RedisOptions options;
    options.url = *parse_redis_url(server.url());
    bool side_up = false;
    RedisConnection side(ioc.get_executor(), std::move(options),
                         [&](bool u, const std::string&) { side_up = u; });
    side.start();
    ASSERT_TRUE(run_until(ioc, [&] { return side_up; }));
    bool flushed = false;
    const std::string_view flush[] = {"SCRIPT", "FLUSH"};
    side.command(flush, [&](const redisReply* r) { flushed = r != nullptr; });
    ASSERT_TRUE(run_until(ioc, [&] { return flushed; }));
    const Answer a = announce(1, test::v4(0x0A000002, 1002), false);
    EXPECT_EQ(a.status, StoreStatus::ok);
    EXPECT_EQ(a.peers.size(), 1u);
}

TEST_F(RedisStoreTest, AStoreThatIsDownAnswersAtOnce) {
    server.stop();
    ASSERT_TRUE(run_until(ioc, [this] { return !up; }));
    const Answer a = announce(1, test::v4(0x0A000001, 1001), false);
    EXPECT_EQ(a.status, StoreStatus::unavailable);
    server.start();
    ASSERT_TRUE(run_until(ioc, [this] { return up; }));
    EXPECT_EQ(announce(1, test::v4(0x0A000001, 1001), false).status, StoreStatus::ok);
}

}  // namespace
}  // namespace shoal::tracker
