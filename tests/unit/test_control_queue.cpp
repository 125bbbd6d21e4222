// The torrent queue's rules (control/torrent_queue), without a session.
#include <gtest/gtest.h>

#include "control/torrent_queue.hpp"

using namespace shoal;
using namespace shoal::control;
using namespace std::chrono_literals;

namespace {

using V = QueueVerdict;
using W = QueueWant;

QueueInput wants(W want) { return QueueInput{.want = want}; }
QueueInput running(W want) { return QueueInput{.want = want, .running_as = want}; }

QueueSettings downloads(int size) {
    QueueSettings s;
    s.download_enabled = true;
    s.download_size = size;
    return s;
}

std::vector<TorrentId> ids(std::initializer_list<std::uint32_t> values) {
    std::vector<TorrentId> out;
    for (auto v : values) out.push_back(TorrentId{v});
    return out;
}

}  // namespace

TEST(TorrentQueue, StartsAtMostTheDownloadQueueSizeInQueueOrder) {
    const std::vector<QueueInput> t{wants(W::download), wants(W::download), wants(W::download)};
    EXPECT_EQ(decide_queue(t, downloads(2)), (std::vector<V>{V::run, V::run, V::wait}));
}

TEST(TorrentQueue, WithoutAQueueEveryoneRuns) {
    const std::vector<QueueInput> t{wants(W::download), wants(W::download), wants(W::seed)};
    EXPECT_EQ(decide_queue(t, QueueSettings{}), (std::vector<V>{V::run, V::run, V::run}));
}

TEST(TorrentQueue, RunningTorrentsTakeTheSlotsBeforeWaitingOnesEarlierInTheQueue) {
    const std::vector<QueueInput> t{wants(W::download), running(W::download)};
    EXPECT_EQ(decide_queue(t, downloads(1)), (std::vector<V>{V::wait, V::run}));
}

TEST(TorrentQueue, ARunningTorrentKeepsRunningWhenTheSizeShrinks) {
    const std::vector<QueueInput> t{running(W::download), running(W::download), wants(W::download)};
    EXPECT_EQ(decide_queue(t, downloads(1)), (std::vector<V>{V::run, V::run, V::wait}));
}

TEST(TorrentQueue, StoppedAndCheckingTorrentsAreNotQueuedAndTakeNoSlot) {
    const std::vector<QueueInput> t{wants(W::none), wants(W::undecided), wants(W::download)};
    EXPECT_EQ(decide_queue(t, downloads(1)), (std::vector<V>{V::leave, V::leave, V::run}));
}

TEST(TorrentQueue, StartNowSkipsTheQueueButTakesASlot) {
    QueueInput forced = wants(W::download);
    forced.forced = true;
    const std::vector<QueueInput> t{wants(W::download), forced};
    EXPECT_EQ(decide_queue(t, downloads(1)), (std::vector<V>{V::wait, V::run}));
}

TEST(TorrentQueue, AStalledTorrentLeavesItsSlotButKeepsRunning) {
    QueueInput stalled = running(W::download);
    stalled.idle = 30min;
    const std::vector<QueueInput> t{stalled, wants(W::download)};
    EXPECT_EQ(decide_queue(t, downloads(1)), (std::vector<V>{V::run, V::run}));
    stalled.idle = 29min;
    const std::vector<QueueInput> busy{stalled, wants(W::download)};
    EXPECT_EQ(decide_queue(busy, downloads(1)), (std::vector<V>{V::run, V::wait}));
}

TEST(TorrentQueue, StalledTorrentsCountWhenStalledIsOff) {
    QueueSettings s = downloads(1);
    s.stalled_enabled = false;
    QueueInput stalled = running(W::download);
    stalled.idle = 10h;
    const std::vector<QueueInput> t{stalled, wants(W::download)};
    EXPECT_EQ(decide_queue(t, s), (std::vector<V>{V::run, V::wait}));
}

TEST(TorrentQueue, SeedsHaveTheirOwnQueue) {
    QueueSettings s;
    s.seed_enabled = true;
    s.seed_size = 1;
    const std::vector<QueueInput> t{wants(W::seed), wants(W::seed), wants(W::download), wants(W::download)};
    EXPECT_EQ(decide_queue(t, s), (std::vector<V>{V::run, V::wait, V::run, V::run}));
}

TEST(TorrentQueue, AFinishedDownloadWaitsForASeedSlot) {
    QueueSettings s = downloads(1);
    s.seed_enabled = true;
    s.seed_size = 1;
    // It ran as a download and now wants to seed; the one seed slot is taken.
    QueueInput finished{.want = W::seed, .running_as = W::download};
    const std::vector<QueueInput> t{running(W::seed), finished, wants(W::download)};
    EXPECT_EQ(decide_queue(t, s), (std::vector<V>{V::run, V::wait, V::run}));
    // With a free seed slot it takes it.
    const std::vector<QueueInput> free{finished, wants(W::download)};
    EXPECT_EQ(decide_queue(free, s), (std::vector<V>{V::run, V::run}));
}

TEST(QueueOrder, NewTorrentsGoToTheEnd) {
    QueueOrder q;
    for (auto id : ids({3, 1, 2})) q.push_back(id);
    EXPECT_EQ(q.ids(), ids({3, 1, 2}));
    q.erase(TorrentId{1});
    EXPECT_EQ(q.ids(), ids({3, 2}));
}

TEST(QueueOrder, MovesToTheTopAndBottomKeepingTheGroupsOrder) {
    QueueOrder q;
    for (auto id : ids({1, 2, 3, 4, 5})) q.push_back(id);
    EXPECT_TRUE(q.move(ids({4, 2}), QueueMove::top));
    EXPECT_EQ(q.ids(), ids({2, 4, 1, 3, 5}));
    EXPECT_TRUE(q.move(ids({2, 1}), QueueMove::bottom));
    EXPECT_EQ(q.ids(), ids({4, 3, 5, 2, 1}));
    EXPECT_FALSE(q.move(ids({2, 1}), QueueMove::bottom));
}

TEST(QueueOrder, MovesUpAndDownOnePlaceWithoutPassingEachOther) {
    QueueOrder q;
    for (auto id : ids({1, 2, 3, 4})) q.push_back(id);
    EXPECT_TRUE(q.move(ids({2, 3}), QueueMove::up));
    EXPECT_EQ(q.ids(), ids({2, 3, 1, 4}));
    EXPECT_FALSE(q.move(ids({2, 3}), QueueMove::up));  // 2 is first; 3 does not pass it
    EXPECT_EQ(q.ids(), ids({2, 3, 1, 4}));
    EXPECT_TRUE(q.move(ids({3, 4}), QueueMove::down));
    EXPECT_EQ(q.ids(), ids({2, 1, 3, 4}));
    EXPECT_FALSE(q.move(ids({9}), QueueMove::top));
}

TEST(QueueOrder, SortsBySavedPositionsThoseWithoutFollowInTheirOrder) {
    QueueOrder q;
    for (auto id : ids({1, 2, 3, 4})) q.push_back(id);
    q.sort_by_saved([](TorrentId id) -> std::optional<std::int64_t> {
        if (id.value == 1) return 7;
        if (id.value == 3) return 2;
        return std::nullopt;
    });
    EXPECT_EQ(q.ids(), ids({3, 1, 2, 4}));
}
