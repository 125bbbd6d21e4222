#include <gtest/gtest.h>

#include "session/event_queue.hpp"

namespace shoal {
namespace {

event::Stats stats_of(std::uint32_t id, std::int64_t uploaded) {
    event::Stats s{TorrentId{id}, {}};
    s.stats.uploaded = uploaded;
    return s;
}

TEST(EventQueue, KeepsTheOrderAndSaysWhenItWasEmpty) {
    EventQueue queue;
    EXPECT_TRUE(queue.push(event::TorrentAdded{TorrentId{1}, "a"}));
    EXPECT_FALSE(queue.push(event::StateChanged{TorrentId{1}, TorrentState::seeding}));
    EXPECT_FALSE(queue.empty());
    const std::vector<Event> events = queue.pop_all();
    ASSERT_EQ(events.size(), 2u);
    EXPECT_TRUE(std::holds_alternative<event::TorrentAdded>(events[0]));
    EXPECT_TRUE(std::holds_alternative<event::StateChanged>(events[1]));
    EXPECT_TRUE(queue.empty());
    EXPECT_TRUE(queue.push(event::TorrentRemoved{TorrentId{1}}));
}

TEST(EventQueue, ATorrentsNewerStatsTakesThePlaceOfTheOneWaiting) {
    EventQueue queue;
    queue.push(stats_of(1, 10));
    queue.push(event::StateChanged{TorrentId{1}, TorrentState::seeding});
    queue.push(stats_of(2, 20));
    queue.push(stats_of(1, 11));
    queue.push(stats_of(1, 12));
    const std::vector<Event> events = queue.pop_all();
    ASSERT_EQ(events.size(), 3u);
    const auto* first = std::get_if<event::Stats>(&events[0]);
    ASSERT_NE(first, nullptr);
    EXPECT_EQ(first->id.value, 1u);
    EXPECT_EQ(first->stats.uploaded, 12);
    EXPECT_TRUE(std::holds_alternative<event::StateChanged>(events[1]));
    const auto* other = std::get_if<event::Stats>(&events[2]);
    ASSERT_NE(other, nullptr);
    EXPECT_EQ(other->stats.uploaded, 20);
}

TEST(EventQueue, StatsQueueAgainOnceTheReaderTookThem) {
    EventQueue queue;
    queue.push(stats_of(1, 1));
    ASSERT_EQ(queue.pop_all().size(), 1u);
    EXPECT_TRUE(queue.push(stats_of(1, 2)));
    queue.push(event::TorrentRemoved{TorrentId{1}});
    queue.push(stats_of(1, 3));
    const std::vector<Event> events = queue.pop_all();
    ASSERT_EQ(events.size(), 2u);
    EXPECT_EQ(std::get<event::Stats>(events[0]).stats.uploaded, 3);
}

}  // namespace
}  // namespace shoal
