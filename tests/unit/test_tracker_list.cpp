// A torrent's trackers: the announcer started, replaced and stopped, and what each tracker
// last said, as the torrent's details show it. A scripted transport; the clock is injected.
#include <gtest/gtest.h>

#include "announcer_fixture.hpp"
#include "session/tracker_list.hpp"

using namespace shoal;
using namespace shoal::tracker_client;

namespace {

class TrackerListTest : public ::testing::Test, private TrackerList::Host {
protected:
    std::unique_ptr<TrackerList> make(std::vector<Tier> tiers) {
        TrackerList::Host& host = *this;
        return std::make_unique<TrackerList>(io.get_executor(), transport, std::move(tiers), host);
    }
    AnnounceIdentity tracker_identity() override {
        ++identities;
        AnnounceIdentity identity;
        identity.info_hash.bytes.fill(0xcd);
        identity.peer_id.bytes.fill('Q');
        identity.port = 6881;
        return identity;
    }
    TransferTotals tracker_totals() override { return TransferTotals{0, 0, 100}; }
    void on_tracker_update(const TrackerUpdate& u) override {
        updates.push_back(u);
        list->record(u);
    }
    TimePoint tracker_now() override { return now; }
    void settle() {
        io.restart();
        io.poll();
    }

    asio::io_context io;
    FakeTransport transport;
    TimePoint now = TimePoint{} + 1000h;
    std::vector<TrackerUpdate> updates;
    int identities = 0;
    std::unique_ptr<TrackerList> list;
};

}  // namespace

TEST_F(TrackerListTest, BeforeStartingEveryTrackerIsListedAsNotContacted) {
    list = make({{"http://a/announce", "http://b/announce"}, {"http://c/announce"}});
    const auto shown = list->trackers(now);
    ASSERT_EQ(shown.size(), 3u);
    EXPECT_EQ(shown[2].url, "http://c/announce");
    EXPECT_EQ(shown[2].tier, 1);
    for (const auto& t : shown) {
        EXPECT_EQ(t.status, TrackerInfo::Status::not_contacted);
        EXPECT_EQ(t.next_announce_seconds, -1);
    }
    EXPECT_FALSE(list->running());
}

TEST_F(TrackerListTest, ShowsTheLastReplyAndWhenTheNextAnnounceIsDue) {
    list = make({{"http://a/announce"}, {"http://b/announce"}});
    transport.answer("http://a/announce", 1800);
    list->start();
    settle();
    ASSERT_TRUE(list->running());
    ASSERT_FALSE(updates.empty());
    const auto shown = list->trackers(now);
    ASSERT_EQ(shown.size(), 2u);
    EXPECT_EQ(shown[0].url, "http://a/announce");
    EXPECT_EQ(shown[0].status, TrackerInfo::Status::working);
    EXPECT_EQ(shown[0].peers, 1);
    EXPECT_EQ(shown[0].next_announce_seconds, 1800);
    EXPECT_EQ(list->trackers(now + 1000s)[0].next_announce_seconds, 800);
    // Each tier is announced to; b cannot be reached.
    EXPECT_EQ(shown[1].status, TrackerInfo::Status::failed);
    EXPECT_NE(shown[1].message.find("unreachable"), std::string::npos);
    EXPECT_EQ(shown[1].peers, -1);
}

TEST_F(TrackerListTest, AFailureWithoutAMessageReadsFailed) {
    list = make({{"http://a/announce"}});
    TrackerUpdate u;
    u.url = "http://a/announce";
    u.ok = false;
    EXPECT_EQ(list->record(u), "failed");
    u.message = "refused";
    EXPECT_EQ(list->record(u), "refused");
}

TEST_F(TrackerListTest, StartsOnceAndNotWithoutTrackers) {
    list = make({{"http://a/announce"}});
    transport.answer("http://a/announce");
    list->start();
    list->start();
    settle();
    EXPECT_EQ(identities, 1);
    EXPECT_EQ(transport.calls.size(), 1u);

    auto empty = make({});
    empty->start();
    EXPECT_FALSE(empty->running());
}

TEST_F(TrackerListTest, NewTrackersReplaceTheOldWhichHearStopped) {
    list = make({{"http://a/announce"}});
    transport.answer("http://a/announce");
    transport.answer("http://a/announce");
    transport.answer("http://b/announce");
    list->start();
    settle();
    list->set_trackers({{}, {"http://b/announce"}});
    settle();
    EXPECT_TRUE(list->running());
    EXPECT_EQ(identities, 2);  // a fresh announcer, asked anew who we are
    bool a_stopped = false, b_started = false;
    for (const auto& c : transport.calls) {
        a_stopped |= c.url == "http://a/announce" && c.request.event == TrackerEvent::stopped;
        b_started |= c.url == "http://b/announce" && c.request.event == TrackerEvent::started;
    }
    EXPECT_TRUE(a_stopped);
    EXPECT_TRUE(b_started);
    const auto shown = list->trackers(now);
    ASSERT_EQ(shown.size(), 1u);  // the empty tier is gone
    EXPECT_EQ(shown[0].url, "http://b/announce");
    EXPECT_EQ(shown[0].tier, 0);
}

TEST_F(TrackerListTest, ReplacingTrackersWhileStoppedDoesNotStart) {
    list = make({{"http://a/announce"}});
    list->set_trackers({{"http://b/announce"}});
    settle();
    EXPECT_FALSE(list->running());
    EXPECT_TRUE(transport.calls.empty());
    EXPECT_EQ(list->trackers(now)[0].url, "http://b/announce");
}

// A resume right after a pause (before the stopped announcer's run has ended) announces again.
TEST_F(TrackerListTest, StartingRightAfterAStopAnnouncesAgain) {
    list = make({{"http://a/announce"}});
    transport.answer("http://a/announce");
    transport.answer("http://a/announce");
    transport.answer("http://a/announce");
    list->start();
    settle();
    list->stop();
    list->start();
    settle();
    EXPECT_TRUE(list->running());
    std::vector<TrackerEvent> events;
    for (const auto& c : transport.calls) events.push_back(c.request.event);
    ASSERT_EQ(events.size(), 3u);
    EXPECT_EQ(events[0], TrackerEvent::started);
    EXPECT_EQ(events[1], TrackerEvent::stopped);
    EXPECT_EQ(events[2], TrackerEvent::started);
}
