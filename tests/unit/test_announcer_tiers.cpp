// The announcer's tiers run side by side: every tier is asked at once, each keeps its own
// schedule and `completed`, and stop() tells them all at once. Scripted transport, hand-driven
// clock, no sockets.

#include "announcer_fixture.hpp"

namespace shoal::tracker_client {
namespace {

TEST_F(AnnouncerTest, AsksEveryTierAtOnceAndEachTierInOrderUntilOneAnswers) {
    auto a = make({{"http://a1/announce", "http://a2/announce"}, {"http://b/announce"}});
    const auto tier0 = order_of(*a, 0);
    transport.answer(tier0[1]);
    transport.answer("http://b/announce");
    finish(a->announce_round());
    // Tier 0's first tracker fails, its second answers; tier 1 is asked all the same.
    ASSERT_EQ(transport.calls.size(), 3u);
    std::vector<std::string> tier0_calls;
    int b_calls = 0;
    for (const auto& c : transport.calls) {
        EXPECT_EQ(c.request.event, TrackerEvent::started);
        if (c.url == "http://b/announce")
            ++b_calls;
        else
            tier0_calls.push_back(c.url);
    }
    EXPECT_EQ(b_calls, 1);
    EXPECT_EQ(tier0_calls, tier0);
    EXPECT_EQ(order_of(*a, 0), (std::vector<std::string>{tier0[1], tier0[0]}));
}

TEST_F(AnnouncerTest, ADeadTierDoesNotHoldUpTheOthers) {
    // Tier 0 never answers (a blackholed UDP tracker takes minutes to give up); tier 1
    // answers at once. Its peers must not wait for tier 0.
    auto a = make({{"udp://dead:1"}, {"http://b/announce"}});
    transport.hang_urls.insert("udp://dead:1");
    transport.answer("http://b/announce");
    bool run_done = false;
    asio::co_spawn(io, a->run(), [&](std::exception_ptr) { run_done = true; });
    auto b_answered = [&] {
        for (const auto& u : updates)
            if (u.url == "http://b/announce" && u.ok)
                return true;
        return false;
    };
    ASSERT_TRUE(poll_until(b_answered, 2s));
    EXPECT_EQ(updates.size(), 1u);
    EXPECT_EQ(updates[0].peers.size(), 1u);
    EXPECT_EQ(updates[0].next_announce, now + 1800s);
    EXPECT_TRUE(a->tiers()[0][0].announcing);
    EXPECT_FALSE(a->tiers()[1][0].announcing);
    finish(a->stop());
    EXPECT_TRUE(poll_until([&] { return run_done; }));
}

TEST_F(AnnouncerTest, EachTierKeepsItsOwnSchedule) {
    AnnouncerOptions options;
    options.retry_base = 30s;
    auto a = make({{"http://a/announce"}, {"http://b/announce"}, {"http://c/announce"}},
                  options);
    transport.answer("http://a/announce", 1800);
    transport.answer("http://b/announce", 600);
    transport.answer("http://b/announce", 600);
    finish(a->announce_round());
    EXPECT_EQ(a->next_announce_at(0), now + 1800s);
    EXPECT_EQ(a->next_announce_at(1), now + 600s);
    EXPECT_EQ(a->next_announce_at(2), now + 30s);  // c failed and rests
    EXPECT_EQ(a->next_announce_at(), now + 30s);
    EXPECT_EQ(a->next_announce_at(7), TimePoint::max());

    now += 600s;
    transport.calls.clear();
    transport.answer("http://c/announce", 900);
    finish(a->announce_round());
    // a is not due; b and c are.
    ASSERT_EQ(transport.calls.size(), 2u);
    for (const auto& c : transport.calls)
        EXPECT_NE(c.url, "http://a/announce");
    EXPECT_EQ(a->next_announce_at(0), now - 600s + 1800s);
    EXPECT_EQ(a->next_announce_at(1), now + 600s);
    EXPECT_EQ(a->next_announce_at(2), now + 900s);

    // A reannounce brings every tier forward, each as far as its own min interval allows.
    a->reannounce();
    for (std::size_t tier = 0; tier < 3; ++tier)
        EXPECT_EQ(a->next_announce_at(tier), now);
}

TEST_F(AnnouncerTest, CompletedGoesOnceToEachWorkingTier) {
    AnnouncerOptions options;
    options.retry_base = 10s;
    auto a = make({{"http://a/announce"}, {"http://b/announce"}, {"http://c/announce"}},
                  options);
    transport.answer_many("http://a/announce", 3);
    transport.answer_many("http://b/announce", 3);
    finish(a->announce_round());  // c is unreachable
    now += 100s;
    totals.left = 0;
    a->download_completed();
    EXPECT_EQ(a->next_announce_at(0), now);
    EXPECT_EQ(a->next_announce_at(1), now);
    transport.answer_many("http://c/announce", 2);
    finish(a->announce_round());
    std::map<std::string, std::vector<TrackerEvent>> events;
    for (const auto& c : transport.calls)
        events[c.url].push_back(c.request.event);
    EXPECT_EQ(events["http://a/announce"],
              (std::vector<TrackerEvent>{TrackerEvent::started, TrackerEvent::completed}));
    EXPECT_EQ(events["http://b/announce"],
              (std::vector<TrackerEvent>{TrackerEvent::started, TrackerEvent::completed}));
    // c first answers after the download finished: its `started` says left = 0 and it
    // never needs `completed`.
    EXPECT_EQ(events["http://c/announce"],
              (std::vector<TrackerEvent>{TrackerEvent::started, TrackerEvent::started}));
    now += 1800s;
    transport.calls.clear();
    finish(a->announce_round());
    ASSERT_EQ(transport.calls.size(), 3u);
    for (const auto& c : transport.calls)
        EXPECT_EQ(c.request.event, TrackerEvent::none) << c.url;
}

TEST_F(AnnouncerTest, CompletionDuringAnAnnounceIsSentRightAfterIt) {
    auto a = make({{"http://slow/announce"}});
    transport.answer_many("http://slow/announce", 3);
    transport.delays["http://slow/announce"] = 50ms;
    bool run_done = false;
    asio::co_spawn(io, a->run(), [&](std::exception_ptr) { run_done = true; });
    ASSERT_TRUE(poll_until([&] { return transport.calls.size() == 1; }));
    // The `started` under way still said left > 0; its answer must not put `completed` off
    // for a whole interval.
    a->download_completed();
    ASSERT_TRUE(poll_until([&] { return transport.calls.size() == 2; }, 2s));
    EXPECT_EQ(transport.calls[0].request.event, TrackerEvent::started);
    EXPECT_EQ(transport.calls[1].request.event, TrackerEvent::completed);
    finish(a->stop());
    EXPECT_TRUE(poll_until([&] { return run_done; }));
}

TEST_F(AnnouncerTest, StopTellsTheTrackersThatHeardStarted) {
    auto a = make({{"http://a/announce"}, {"http://b/announce"}, {"http://c/announce"}});
    transport.answer_many("http://a/announce", 2);
    transport.answer_many("http://b/announce", 2);
    finish(a->announce_round());  // c is unreachable: it never heard `started`
    ASSERT_EQ(transport.calls.size(), 3u);
    finish(a->stop());
    ASSERT_EQ(transport.calls.size(), 5u);
    std::set<std::string> stopped;
    for (std::size_t i = 3; i < 5; ++i) {
        EXPECT_EQ(transport.calls[i].request.event, TrackerEvent::stopped);
        EXPECT_EQ(transport.calls[i].request.numwant, 0);
        stopped.insert(transport.calls[i].url);
    }
    EXPECT_EQ(stopped, (std::set<std::string>{"http://a/announce", "http://b/announce"}));
    EXPECT_EQ(updates.back().event, TrackerEvent::stopped);
    EXPECT_TRUE(updates.back().ok);
    EXPECT_FALSE(a->tiers()[0][0].started_sent);
    // Running again begins with `started`, at once, in every tier whose tracker is not
    // resting (c failed 15 s ago).
    transport.answer_many("http://a/announce", 2);
    transport.calls.clear();
    bool run_done = false;
    asio::co_spawn(io, a->run(), [&](std::exception_ptr) { run_done = true; });
    ASSERT_TRUE(poll_until([&] { return transport.calls.size() == 2; }));
    std::set<std::string> asked;
    for (const auto& c : transport.calls) {
        EXPECT_EQ(c.request.event, TrackerEvent::started);
        asked.insert(c.url);
    }
    EXPECT_EQ(asked, (std::set<std::string>{"http://a/announce", "http://b/announce"}));
    finish(a->stop());
    EXPECT_TRUE(poll_until([&] { return run_done; }));
}

TEST_F(AnnouncerTest, StopTellsAllTiersAtOnceWithinItsDeadline) {
    AnnouncerOptions options;
    options.stop_timeout = 100ms;
    auto a = make({{"http://a/announce"}, {"http://b/announce"}, {"http://c/announce"}},
                  options);
    for (const auto* url : {"http://a/announce", "http://b/announce", "http://c/announce"})
        transport.answer(url);
    finish(a->announce_round());
    // No `stopped` is ever answered: one after another, only the first would go out.
    transport.hang_all = true;
    const auto started_at = std::chrono::steady_clock::now();
    finish(a->stop());
    const auto took = std::chrono::steady_clock::now() - started_at;
    EXPECT_GE(took, 100ms);
    EXPECT_LT(took, 2s);
    ASSERT_EQ(transport.calls.size(), 6u);
    std::set<std::string> stopped;
    for (std::size_t i = 3; i < 6; ++i) {
        EXPECT_EQ(transport.calls[i].request.event, TrackerEvent::stopped);
        stopped.insert(transport.calls[i].url);
    }
    EXPECT_EQ(stopped.size(), 3u);
}

}  // namespace
}  // namespace shoal::tracker_client
