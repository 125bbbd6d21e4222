#include <gtest/gtest.h>

#include <algorithm>

#include "test_util.hpp"
#include "tracker/swarm_table.hpp"

namespace shoal::tracker {
namespace {

using test::hash_of;

TEST(SwarmTable, FindsEverySwarmThroughInsertsAndErases) {
    SwarmTable table(7);
    EXPECT_EQ(table.find(hash_of(1)), nullptr);
    EXPECT_FALSE(table.erase(hash_of(1)));
    for (int i = 0; i < 5000; ++i) {
        auto [swarm, inserted] = table.find_or_insert(hash_of(i));
        ASSERT_TRUE(inserted) << i;
        EXPECT_EQ(swarm->info_hash(), hash_of(i));
    }
    EXPECT_FALSE(table.find_or_insert(hash_of(42)).second) << "second copy of a swarm";
    EXPECT_EQ(table.size(), 5000u);
    EXPECT_LE(table.size() * 5, table.slot_count() * 4) << "fuller than 80%";
    // Erasing shifts later members of a cluster back; none of them may get lost.
    for (int i = 0; i < 5000; i += 3)
        ASSERT_TRUE(table.erase(hash_of(i)));
    for (int i = 0; i < 5000; ++i) {
        const Swarm* swarm = table.find(hash_of(i));
        if (i % 3 == 0) {
            EXPECT_EQ(swarm, nullptr) << i;
        } else {
            ASSERT_NE(swarm, nullptr) << i;
            EXPECT_EQ(swarm->info_hash(), hash_of(i));
        }
    }
    std::size_t occupied = 0;
    for (std::size_t i = 0; i < table.slot_count(); ++i)
        occupied += table.at_slot(i) != nullptr;
    EXPECT_EQ(occupied, table.size());
    EXPECT_EQ(table.size(), 5000u - 1667u);
}

TEST(SwarmTable, SwarmsKeepTheirPeersWhenTheTableGrows) {
    SwarmTable table(1);
    const PeerEndpoint peer{IpAddress::v4(0x0A000001), 6881};
    table.find_or_insert(hash_of(1)).first->announce(peer, true, AnnounceEvent::none, 10);
    for (int i = 2; i < 1000; ++i)
        table.find_or_insert(hash_of(i));
    const Swarm* swarm = table.find(hash_of(1));
    ASSERT_NE(swarm, nullptr);
    EXPECT_EQ(swarm->counts().seeders, 1u);
}

TEST(SwarmTable, HashesThatDifferInFewBitsDoNotCluster) {
    // Info-hashes alike but for a counter in their last bytes: an unkeyed or weakly mixed
    // hash would send them all to neighbouring slots.
    for (std::uint64_t seed : {1ull, 0x5bd1e9955bd1e995ull}) {
        SwarmTable table(seed);
        std::vector<InfoHash> hashes;
        for (std::uint32_t i = 0; i < 20000; ++i) {
            InfoHash h;
            h.bytes.fill(0xAB);
            h.bytes[16] = static_cast<std::uint8_t>(i >> 24);
            h.bytes[17] = static_cast<std::uint8_t>(i >> 16);
            h.bytes[18] = static_cast<std::uint8_t>(i >> 8);
            h.bytes[19] = static_cast<std::uint8_t>(i);
            hashes.push_back(h);
            table.find_or_insert(h);
        }
        std::size_t longest = 0;
        std::size_t total = 0;
        for (const auto& h : hashes) {
            const std::size_t length = table.probe_length(h);
            longest = std::max(longest, length);
            total += length;
        }
        EXPECT_LT(longest, 100u) << "seed " << seed;
        EXPECT_LT(static_cast<double>(total) / static_cast<double>(hashes.size()), 4.0)
            << "seed " << seed;
    }
}

TEST(SwarmTable, GivesSlotsBackWhenMostSwarmsAreGone) {
    SwarmTable table(3);
    for (int i = 0; i < 4000; ++i)
        table.find_or_insert(hash_of(i));
    const std::size_t full = table.slot_count();
    for (int i = 10; i < 4000; ++i)
        table.erase(hash_of(i));
    table.shrink_if_sparse();
    EXPECT_LT(table.slot_count(), full / 16);
    for (int i = 0; i < 10; ++i)
        EXPECT_NE(table.find(hash_of(i)), nullptr) << i;
    EXPECT_EQ(table.size(), 10u);
}

}  // namespace
}  // namespace shoal::tracker
