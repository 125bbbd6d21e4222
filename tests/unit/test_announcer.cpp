// The announcer's logic against a scripted transport and a hand-driven clock: BEP 12 tiers,
// intervals, backoff, events, stop. No sockets.

#include <gtest/gtest.h>

#include <chrono>
#include <deque>
#include <exception>
#include <map>
#include <set>
#include <stdexcept>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "discovery/tracker/announcer.hpp"

namespace shoal::tracker_client {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using TimePoint = std::chrono::steady_clock::time_point;

struct Call {
    std::string url;
    AnnounceRequest request;
};

// Replies from a per-URL script; an empty script means the tracker cannot be reached.
class FakeTransport : public TrackerTransport {
  public:
    asio::awaitable<Result<AnnounceResponse>> announce(std::string url,
                                                       AnnounceRequest request) override {
        calls.push_back({url, request});
        if (hang_all || (hang_urls.count(url) && request.event != TrackerEvent::stopped)) {
            asio::steady_timer forever(co_await asio::this_coro::executor, 1h);
            co_await forever.async_wait(asio::use_awaitable);
        }
        if (throw_urls.count(url))
            throw std::runtime_error("transport exploded");
        auto& script = scripts[url];
        if (script.empty())
            co_return make_error("tracker " + url + ": unreachable");
        auto reply = script.front();
        script.pop_front();
        co_return reply;
    }

    void answer(const std::string& url, std::int64_t interval = 1800,
                std::optional<std::int64_t> min_interval = {}, std::string tracker_id = {}) {
        AnnounceResponse r;
        r.interval = interval;
        r.min_interval = min_interval;
        r.seeders = 3;
        r.leechers = 4;
        r.tracker_id = std::move(tracker_id);
        r.peers.emplace_back(asio::ip::make_address("10.0.0.1"), 6881);
        scripts[url].push_back(r);
    }
    void answer_many(const std::string& url, int count) {
        for (int i = 0; i < count; ++i)
            answer(url);
    }

    std::map<std::string, std::deque<Result<AnnounceResponse>>> scripts;
    std::set<std::string> hang_urls;
    std::set<std::string> throw_urls;
    bool hang_all = false;
    std::vector<Call> calls;
};

class AnnouncerTest : public ::testing::Test {
  protected:
    std::unique_ptr<Announcer> make(std::vector<std::vector<std::string>> tiers,
                                    AnnouncerOptions options = {}) {
        if (!options.shuffle_seed)
            options.shuffle_seed = 1;
        AnnounceIdentity identity;
        identity.info_hash.bytes.fill(0xab);
        identity.peer_id.fill('P');
        identity.port = 6881;
        identity.key = 0x1234;
        return std::make_unique<Announcer>(
            io.get_executor(), identity, std::move(tiers), transport, [this] { return totals; },
            [this](const TrackerUpdate& u) { updates.push_back(u); }, options,
            [this] { return now; });
    }

    // Runs one coroutine on the io_context to completion, rethrowing what escaped it.
    void finish(asio::awaitable<void> work) {
        std::exception_ptr failure;
        bool done = false;
        asio::co_spawn(io, std::move(work), [&](std::exception_ptr e) {
            failure = e;
            done = true;
        });
        io.restart();
        const auto give_up = std::chrono::steady_clock::now() + 5s;
        while (!done && std::chrono::steady_clock::now() < give_up)
            io.run_one_for(100ms);
        ASSERT_TRUE(done) << "coroutine did not finish";
        if (failure)
            std::rethrow_exception(failure);
    }

    template <class Pred>
    bool poll_until(Pred pred) {
        io.restart();
        const auto give_up = std::chrono::steady_clock::now() + 5s;
        while (!pred() && std::chrono::steady_clock::now() < give_up)
            io.run_one_for(10ms);
        return pred();
    }

    std::vector<std::string> order_of(const Announcer& a, std::size_t tier) {
        std::vector<std::string> out;
        for (const auto& t : a.tiers()[tier])
            out.push_back(t.url);
        return out;
    }

    asio::io_context io;
    FakeTransport transport;
    TimePoint now = TimePoint{} + 1000h;
    TransferTotals totals{10, 20, 300};
    std::vector<TrackerUpdate> updates;
};

TEST_F(AnnouncerTest, FirstAnnounceIsStartedAndCarriesIdentityAndTotals) {
    auto a = make({{"http://a/announce"}});
    EXPECT_EQ(a->next_announce_at(), now);
    transport.answer("http://a/announce", 1800);
    finish(a->announce_round());
    ASSERT_EQ(transport.calls.size(), 1u);
    const auto& r = transport.calls[0].request;
    EXPECT_EQ(r.event, TrackerEvent::started);
    EXPECT_EQ(r.info_hash.bytes[0], 0xab);
    EXPECT_EQ(r.peer_id[0], 'P');
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

TEST_F(AnnouncerTest, GoesToTheNextTierOnlyWhenTheWholeTierFails) {
    auto a = make({{"http://a1/announce", "http://a2/announce"}, {"http://b/announce"}});
    const auto tier0 = order_of(*a, 0);
    transport.answer(tier0[1]);
    finish(a->announce_round());
    ASSERT_EQ(transport.calls.size(), 2u);
    for (const auto& c : transport.calls)
        EXPECT_NE(c.url, "http://b/announce");

    // Next round: both of tier 0 fail, so tier 1 is asked.
    AnnouncerOptions options;
    options.retry_base = 1s;
    auto b = make({{"http://c1/announce", "http://c2/announce"}, {"http://d/announce"}}, options);
    transport.calls.clear();
    transport.answer("http://d/announce");
    finish(b->announce_round());
    ASSERT_EQ(transport.calls.size(), 3u);
    EXPECT_EQ(transport.calls[2].url, "http://d/announce");
    EXPECT_EQ(transport.calls[2].request.event, TrackerEvent::started);
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
    auto a = make({{"http://main/announce"}, {"http://backup/announce"}}, options);
    transport.answer("http://main/announce");
    finish(a->announce_round());
    now = a->next_announce_at();
    transport.answer("http://backup/announce");
    finish(a->announce_round());  // main now unreachable
    ASSERT_EQ(transport.calls.size(), 3u);
    EXPECT_EQ(transport.calls[1].request.event, TrackerEvent::none);
    EXPECT_EQ(transport.calls[2].url, "http://backup/announce");
    EXPECT_EQ(transport.calls[2].request.event, TrackerEvent::started);
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

TEST_F(AnnouncerTest, StopTellsTheTrackersThatHeardStarted) {
    auto a = make({{"http://a/announce"}, {"http://b/announce"}});
    transport.answer("http://a/announce");
    transport.answer("http://a/announce");
    finish(a->announce_round());
    finish(a->stop());
    ASSERT_EQ(transport.calls.size(), 2u);
    EXPECT_EQ(transport.calls[1].url, "http://a/announce");
    EXPECT_EQ(transport.calls[1].request.event, TrackerEvent::stopped);
    EXPECT_EQ(transport.calls[1].request.numwant, 0);
    EXPECT_EQ(updates.back().event, TrackerEvent::stopped);
    EXPECT_TRUE(updates.back().ok);
    EXPECT_FALSE(a->tiers()[0][0].started_sent);
    // Running again begins with `started`, at once.
    transport.answer("http://a/announce");
    transport.answer("http://a/announce");
    bool run_done = false;
    asio::co_spawn(io, a->run(), [&](std::exception_ptr) { run_done = true; });
    ASSERT_TRUE(poll_until([&] { return transport.calls.size() == 3; }));
    EXPECT_EQ(transport.calls[2].request.event, TrackerEvent::started);
    finish(a->stop());
    EXPECT_TRUE(poll_until([&] { return run_done; }));
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
    const auto started_at = std::chrono::steady_clock::now();
    finish(a->stop());
    EXPECT_TRUE(poll_until([&] { return run_done; }));
    EXPECT_LT(std::chrono::steady_clock::now() - started_at, 2s);
    ASSERT_EQ(transport.calls.size(), 2u);
    EXPECT_EQ(transport.calls[1].request.event, TrackerEvent::stopped);
    // The abandoned announce is not counted against the tracker.
    EXPECT_EQ(a->tiers()[0][0].failures, 0);
}

}  // namespace
}  // namespace shoal::tracker_client
