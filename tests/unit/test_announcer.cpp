// The announcer's logic against a scripted transport and a hand-driven clock: BEP 12 tiers,
// intervals, backoff, events, stop. No sockets. Tiers side by side: test_announcer_tiers.cpp.

#include "announcer_fixture.hpp"

namespace shoal::tracker_client {
namespace {

TEST_F(AnnouncerTest, FirstAnnounceIsStartedAndCarriesIdentityAndTotals) {
    auto a = make({{"http://a/announce"}});
    EXPECT_EQ(a->next_announce_at(), now);
    transport.answer("http://a/announce", 1800);
    finish(a->announce_round());
    ASSERT_EQ(transport.calls.size(), 1u);
    const auto& r = transport.calls[0].request;
    EXPECT_EQ(r.event, TrackerEvent::started);
    EXPECT_EQ(r.info_hash.bytes[0], 0xab);
    EXPECT_EQ(r.peer_id.bytes[0], 'P');
    EXPECT_EQ(r.port, 6881);
    EXPECT_EQ(r.key, 0x1234u);
    EXPECT_EQ(r.uploaded, 10);
    EXPECT_EQ(r.downloaded, 20);
    EXPECT_EQ(r.left, 300);
    EXPECT_EQ(r.numwant, 200);
    ASSERT_EQ(updates.size(), 1u);
    EXPECT_TRUE(updates[0].ok);
    EXPECT_EQ(updates[0].url, "http://a/announce");
    EXPECT_EQ(updates[0].event, TrackerEvent::started);
    ASSERT_EQ(updates[0].peers.size(), 1u);
    EXPECT_EQ(updates[0].seeders, 3);
    EXPECT_EQ(updates[0].leechers, 4);
    EXPECT_EQ(updates[0].next_announce, now + 1800s);
    EXPECT_EQ(a->next_announce_at(), now + 1800s);

    now += 1800s;
    transport.answer("http://a/announce");
    finish(a->announce_round());
    ASSERT_EQ(transport.calls.size(), 2u);
    EXPECT_EQ(transport.calls[1].request.event, TrackerEvent::none);
}

TEST_F(AnnouncerTest, ANewPortIsAnnouncedFromTheNextAnnounceOn) {
    auto a = make({{"http://a/announce"}});
    transport.answer("http://a/announce", 1800, 60);
    finish(a->announce_round());
    // A port mapping gave another external port: the reannounce that follows names it.
    a->set_port(40123);
    a->reannounce();
    now += 60s;
    transport.answer("http://a/announce");
    finish(a->announce_round());
    ASSERT_EQ(transport.calls.size(), 2u);
    EXPECT_EQ(transport.calls[0].request.port, 6881);
    EXPECT_EQ(transport.calls[1].request.port, 40123);
}

TEST_F(AnnouncerTest, ShufflesEachTierOnceDependingOnSeed) {
    std::vector<std::string> urls{"http://1/a", "http://2/a", "http://3/a",
                                  "http://4/a", "http://5/a", "http://6/a"};
    std::set<std::vector<std::string>> orders;
    for (std::uint64_t seed = 1; seed <= 8; ++seed) {
        AnnouncerOptions options;
        options.shuffle_seed = seed;
        auto a = make({urls}, options);
        auto order = order_of(*a, 0);
        EXPECT_EQ(std::set<std::string>(order.begin(), order.end()),
                  std::set<std::string>(urls.begin(), urls.end()));
        orders.insert(order);
        // The same seed gives the same order: the shuffle is the announcer's only randomness.
        auto again = make({urls}, options);
        EXPECT_EQ(order_of(*again, 0), order);
    }
    EXPECT_GT(orders.size(), 1u);
}

TEST_F(AnnouncerTest, TriesTierInOrderAndMovesTheAnsweringTrackerToTheFront) {
    auto a = make({{"http://x/announce", "http://y/announce", "http://z/announce"}});
    const auto before = order_of(*a, 0);
    // The first two in the shuffled order fail; the third answers.
    transport.answer(before[2]);
    finish(a->announce_round());
    ASSERT_EQ(transport.calls.size(), 3u);
    EXPECT_EQ(transport.calls[0].url, before[0]);
    EXPECT_EQ(transport.calls[1].url, before[1]);
    EXPECT_EQ(transport.calls[2].url, before[2]);
    EXPECT_EQ(order_of(*a, 0), (std::vector<std::string>{before[2], before[0], before[1]}));
    ASSERT_EQ(updates.size(), 3u);
    EXPECT_FALSE(updates[0].ok);
    EXPECT_EQ(updates[0].message, "tracker " + before[0] + ": unreachable");
    EXPECT_TRUE(updates[2].ok);
}

TEST_F(AnnouncerTest, RespectsIntervalFloorAndMinIntervalOnReannounce) {
    auto a = make({{"udp://a:1"}});
    transport.answer("udp://a:1", 1800, 900);
    finish(a->announce_round());
    EXPECT_EQ(a->next_announce_at(), now + 1800s);
    now += 10s;
    a->reannounce();
    // The user's reannounce waits for the tracker's min interval, counted from the reply.
    EXPECT_EQ(a->next_announce_at(), now - 10s + 900s);
    now += 1000s;
    a->reannounce();
    EXPECT_EQ(a->next_announce_at(), now);

    // A tracker asking for an announce every 5 s gets one a minute; a missing interval means
    // the default.
    transport.answer("udp://a:1", 5);
    finish(a->announce_round());
    EXPECT_EQ(a->next_announce_at(), now + 60s);
    now += 60s;  // a round announces to the tiers that are due
    transport.answer("udp://a:1", 0);
    finish(a->announce_round());
    EXPECT_EQ(a->next_announce_at(), now + 1800s);
}

TEST_F(AnnouncerTest, BacksOffExponentiallyAfterFailures) {
    AnnouncerOptions options;
    options.retry_base = 15s;
    options.retry_max = 100s;
    auto a = make({{"http://dead/announce"}}, options);
    std::vector<std::chrono::seconds> rests;
    for (int i = 0; i < 5; ++i) {
        finish(a->announce_round());
        rests.push_back(
            std::chrono::duration_cast<std::chrono::seconds>(a->next_announce_at() - now));
        EXPECT_EQ(updates.back().next_announce, a->next_announce_at());
        now = a->next_announce_at();
    }
    EXPECT_EQ(rests, (std::vector<std::chrono::seconds>{15s, 30s, 60s, 100s, 100s}));
    EXPECT_EQ(a->tiers()[0][0].failures, 5);
    // Every try still says `started`: the tracker never acknowledged it.
    for (const auto& c : transport.calls)
        EXPECT_EQ(c.request.event, TrackerEvent::started);

    // One success clears the record.
    transport.answer("http://dead/announce");
    finish(a->announce_round());
    EXPECT_EQ(a->tiers()[0][0].failures, 0);
    EXPECT_EQ(a->next_announce_at(), now + 1800s);
}

TEST_F(AnnouncerTest, SkipsATrackerThatIsStillResting) {
    AnnouncerOptions options;
    options.retry_base = 3600s;
    auto a = make({{"http://main/announce"}, {"http://backup/announce"}}, options);
    transport.answer_many("http://backup/announce", 2);
    finish(a->announce_round());
    ASSERT_EQ(transport.calls.size(), 2u);
    now = a->next_announce_at();  // +1800 s, main rests until +3600 s
    transport.calls.clear();
    finish(a->announce_round());
    ASSERT_EQ(transport.calls.size(), 1u);
    EXPECT_EQ(transport.calls[0].url, "http://backup/announce");
    EXPECT_EQ(transport.calls[0].request.event, TrackerEvent::none);
}

TEST_F(AnnouncerTest, CompletedIsSentOnceAndRightAway) {
    auto a = make({{"http://a/announce"}});
    transport.answer_many("http://a/announce", 3);
    finish(a->announce_round());
    now += 100s;
    a->download_completed();
    EXPECT_EQ(a->next_announce_at(), now);
    finish(a->announce_round());
    EXPECT_EQ(transport.calls.back().request.event, TrackerEvent::completed);
    a->download_completed();  // a second report (say, after a recheck) is not news
    EXPECT_EQ(a->next_announce_at(), now + 1800s);
    now += 1800s;
    finish(a->announce_round());
    EXPECT_EQ(transport.calls.back().request.event, TrackerEvent::none);
}

TEST_F(AnnouncerTest, CompletedStaysPendingUntilATrackerTakesIt) {
    AnnouncerOptions options;
    options.retry_base = 1s;
    auto a = make({{"http://a/announce"}}, options);
    transport.answer("http://a/announce");
    finish(a->announce_round());
    a->download_completed();
    finish(a->announce_round());  // fails: unreachable
    EXPECT_EQ(transport.calls.back().request.event, TrackerEvent::completed);
    now = a->next_announce_at();
    transport.answer_many("http://a/announce", 2);
    finish(a->announce_round());
    EXPECT_EQ(transport.calls.back().request.event, TrackerEvent::completed);
    now = a->next_announce_at();
    finish(a->announce_round());
    EXPECT_EQ(transport.calls.back().request.event, TrackerEvent::none);
}

TEST_F(AnnouncerTest, CompletionBeforeTheFirstAnnounceNeedsNoCompletedEvent) {
    totals.left = 0;
    auto a = make({{"http://a/announce"}});
    a->download_completed();
    transport.answer_many("http://a/announce", 2);
    finish(a->announce_round());
    EXPECT_EQ(transport.calls.back().request.event, TrackerEvent::started);
    EXPECT_EQ(transport.calls.back().request.left, 0);
    now = a->next_announce_at();
    finish(a->announce_round());
    EXPECT_EQ(transport.calls.back().request.event, TrackerEvent::none);
}

TEST_F(AnnouncerTest, EchoesTheTrackerId) {
    auto a = make({{"http://a/announce"}});
    transport.answer("http://a/announce", 1800, {}, "tid-7");
    transport.answer("http://a/announce");
    finish(a->announce_round());
    EXPECT_TRUE(transport.calls[0].request.tracker_id.empty());
    now = a->next_announce_at();
    finish(a->announce_round());
    EXPECT_EQ(transport.calls[1].request.tracker_id, "tid-7");
}

TEST_F(AnnouncerTest, ATrackerNewToUsGetsStartedAfterFailover) {
    AnnouncerOptions options;
    options.retry_base = 1s;
    auto a = make({{"http://main/announce", "http://backup/announce"}}, options);
    const auto order = order_of(*a, 0);
    transport.answer(order[0]);
    finish(a->announce_round());
    now = a->next_announce_at();
    transport.answer(order[1]);
    finish(a->announce_round());  // the first now unreachable
    ASSERT_EQ(transport.calls.size(), 3u);
    EXPECT_EQ(transport.calls[1].url, order[0]);
    EXPECT_EQ(transport.calls[1].request.event, TrackerEvent::none);
    EXPECT_EQ(transport.calls[2].url, order[1]);
    EXPECT_EQ(transport.calls[2].request.event, TrackerEvent::started);
    EXPECT_EQ(order_of(*a, 0), (std::vector<std::string>{order[1], order[0]}));
}

TEST_F(AnnouncerTest, AThrowingTransportBecomesAFailure) {
    auto a = make({{"http://boom/announce"}});
    transport.throw_urls.insert("http://boom/announce");
    finish(a->announce_round());
    ASSERT_EQ(updates.size(), 1u);
    EXPECT_FALSE(updates[0].ok);
    EXPECT_EQ(updates[0].message, "tracker http://boom/announce: transport exploded");
}

TEST_F(AnnouncerTest, DropsEmptyTiersAndRepeatedUrls) {
    auto a = make({{}, {"http://a/x", "http://a/x"}, {"http://a/x", ""}, {"http://b/x"}});
    ASSERT_EQ(a->tiers().size(), 2u);
    EXPECT_EQ(a->tiers()[0].size(), 1u);
    EXPECT_EQ(a->tiers()[1][0].url, "http://b/x");
    EXPECT_EQ(a->tiers()[1][0].tier, 1u);

    auto none = make({});
    EXPECT_EQ(none->next_announce_at(), TimePoint::max());
    finish(none->announce_round());
    EXPECT_TRUE(transport.calls.empty());
}

TEST_F(AnnouncerTest, StopGivesUpAfterItsDeadline) {
    AnnouncerOptions options;
    options.stop_timeout = 50ms;
    auto a = make({{"http://slow/announce"}}, options);
    // Neither the announce nor the `stopped` ever gets an answer.
    transport.hang_urls.insert("http://slow/announce");
    bool run_done = false;
    asio::co_spawn(io, a->run(), [&](std::exception_ptr) { run_done = true; });
    ASSERT_TRUE(poll_until([&] { return a->tiers()[0][0].announcing; }));
    transport.hang_all = true;
    const auto started_at = std::chrono::steady_clock::now();
    finish(a->stop());
    const auto took = std::chrono::steady_clock::now() - started_at;
    EXPECT_GE(took, 50ms);
    EXPECT_LT(took, 2s);
    EXPECT_TRUE(poll_until([&] { return run_done; }));
    ASSERT_EQ(transport.calls.size(), 2u);
    EXPECT_EQ(transport.calls[1].request.event, TrackerEvent::stopped);
}

TEST_F(AnnouncerTest, RunAnnouncesWhenDueWakesForCompletionAndEndsOnStop) {
    auto a = make({{"http://a/announce"}});
    transport.answer_many("http://a/announce", 3);
    bool run_done = false;
    asio::co_spawn(io, a->run(), [&](std::exception_ptr) { run_done = true; });
    ASSERT_TRUE(poll_until([&] { return transport.calls.size() == 1; }));
    EXPECT_EQ(transport.calls[0].request.event, TrackerEvent::started);
    // The next announce is 1800 s away (on both clocks); completion must not wait for it.
    a->download_completed();
    ASSERT_TRUE(poll_until([&] { return transport.calls.size() == 2; }));
    EXPECT_EQ(transport.calls[1].request.event, TrackerEvent::completed);
    finish(a->stop());
    EXPECT_TRUE(poll_until([&] { return run_done; }));
    ASSERT_EQ(transport.calls.size(), 3u);
    EXPECT_EQ(transport.calls[2].request.event, TrackerEvent::stopped);
}

TEST_F(AnnouncerTest, StopAbandonsAnAnnounceInFlightAndStillSaysStopped) {
    auto a = make({{"http://slow/announce"}});
    transport.hang_urls.insert("http://slow/announce");
    transport.answer("http://slow/announce");  // for `stopped`, which does not hang
    bool run_done = false;
    asio::co_spawn(io, a->run(), [&](std::exception_ptr) { run_done = true; });
    ASSERT_TRUE(poll_until([&] { return transport.calls.size() == 1; }));
    finish(a->stop());
    // The hung announce never answers: run() ends only because stop() abandons it.
    EXPECT_TRUE(poll_until([&] { return run_done; }));
    ASSERT_EQ(transport.calls.size(), 2u);
    EXPECT_EQ(transport.calls[1].request.event, TrackerEvent::stopped);
    // The abandoned announce is not counted against the tracker.
    EXPECT_EQ(a->tiers()[0][0].failures, 0);
}

TEST_F(AnnouncerTest, WantPeersAnnouncesEarlyOncePerInterval) {
    auto a = make({{"udp://a:1"}});
    // Before the first answer the regular schedule rules: there is nothing to bring forward.
    a->want_peers();
    transport.answer("udp://a:1", 1800, 5);
    finish(a->announce_round());
    EXPECT_EQ(a->next_announce_at(), now + 1800s);

    // Out of peers 3 s after the answer: the next announce comes at the gap, not in 30 minutes.
    now += 3s;
    a->want_peers();
    EXPECT_EQ(a->next_announce_at(), now - 3s + 20s);
    now += 17s;
    transport.answer("udp://a:1", 1800, 5);
    finish(a->announce_round());
    EXPECT_EQ(a->next_announce_at(), now + 1800s);

    // Still out of peers: no second early announce within the interval.
    now += 60s;
    a->want_peers();
    EXPECT_EQ(a->next_announce_at(), now - 60s + 1800s);
    // A tracker's min interval longer than the gap is obeyed.
    now += 1800s;
    transport.answer("udp://a:1", 1800, 600);
    finish(a->announce_round());
    a->want_peers();
    EXPECT_EQ(a->next_announce_at(), now + 600s);
}

TEST_F(AnnouncerTest, WantPeersLeavesAFailingTrackerResting) {
    auto a = make({{"udp://a:1"}});
    finish(a->announce_round());  // no answer is set up: the tracker fails
    const auto resting_until = a->next_announce_at();
    ASSERT_GT(resting_until, now);
    a->want_peers();
    EXPECT_EQ(a->next_announce_at(), resting_until);
}

}  // namespace
}  // namespace shoal::tracker_client
