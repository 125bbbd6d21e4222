// The control layer's torrent queue over real sessions on 127.0.0.1 and 127.0.0.2: with room
// for one download, the second waits until the first is done; queue positions are kept in the
// state folder, and a list saved before queues comes back in the order it was added.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <fstream>
#include <sstream>

#include "controller_on_loopback.hpp"

namespace fs = std::filesystem;
using namespace shoal;
using namespace shoal::control;
using namespace std::chrono_literals;
using test::add_request;
using test::make_one_file_torrent;
using test::on_loopback;
using test::poll_until;
using test::TempDir;

namespace {

std::vector<std::size_t> positions(const Controller& c) {
    std::vector<std::size_t> out;
    for (const auto& s : c.summaries()) out.push_back(s.queue_position);
    return out;
}

}  // namespace

TEST(ControllerQueue, OneDownloadAtATimeTheNextStartsWhenTheFirstIsDone) {
    TempDir dir;
    const CreatedTorrent first = make_one_file_torrent(dir.path() / "data" / "first", 400'000, 1);
    const CreatedTorrent second = make_one_file_torrent(dir.path() / "data" / "second", 300'000, 2);
    Controller seed(on_loopback("127.0.0.1", {}));
    ASSERT_TRUE(seed.set_rate_limits(200'000, 0));  // the first download takes about two seconds
    for (const auto* t : {&first, &second}) {
        AddTorrent shared = add_request(*t, dir.path() / "data");
        shared.skip_check = true;
        ASSERT_TRUE(seed.add(shared));
    }

    ControllerSettings settings = on_loopback("127.0.0.2", {});
    settings.queue.download_enabled = true;
    settings.queue.download_size = 1;
    Controller leech(settings);
    std::vector<TorrentId> ids;
    for (const auto* t : {&first, &second}) {
        AddTorrent wanted = add_request(*t, dir.path() / "out");
        wanted.peers = {{boost::asio::ip::make_address("127.0.0.1"), seed.listen_port()}};
        auto id = leech.add(wanted);
        ASSERT_TRUE(id) << id.error().message;
        ids.push_back(*id);
        // The second is added once the first runs (else whichever is checked first starts).
        if (ids.size() == 1) {
            ASSERT_TRUE(poll_until({&seed, &leech}, 20s, [&] {
                return leech.find(ids[0])->stats.state == TorrentState::downloading;
            }));
        }
    }
    EXPECT_EQ(positions(leech), (std::vector<std::size_t>{0, 1}));
    int most_downloading = 0;
    bool second_waited = false;
    bool second_done_first = false;
    ASSERT_TRUE(poll_until({&seed, &leech}, 60s, [&] {
        const TorrentSummary* a = leech.find(ids[0]);
        const TorrentSummary* b = leech.find(ids[1]);
        int downloading = 0;
        for (const auto* s : {a, b}) downloading += s->stats.state == TorrentState::downloading ? 1 : 0;
        most_downloading = std::max(most_downloading, downloading);
        if (a->stats.state == TorrentState::downloading && b->queued == TorrentSummary::Queued::to_download &&
            b->stats.state == TorrentState::paused) {
            second_waited = true;
        }
        if (b->finished && !a->finished) second_done_first = true;
        return a->finished && b->finished;
    }));
    EXPECT_EQ(most_downloading, 1);
    EXPECT_TRUE(second_waited);
    EXPECT_FALSE(second_done_first);
    EXPECT_EQ(leech.find(ids[1])->queued, TorrentSummary::Queued::no);
}

TEST(ControllerQueue, StartNowSkipsTheQueue) {
    TempDir dir;
    const CreatedTorrent first = make_one_file_torrent(dir.path() / "data" / "first", 100'000, 1);
    const CreatedTorrent second = make_one_file_torrent(dir.path() / "data" / "second", 100'000, 2);
    ControllerSettings settings = on_loopback("127.0.0.2", {});
    settings.queue.download_enabled = true;
    settings.queue.download_size = 1;
    Controller c(settings);
    // No peers: both would download forever. The second is added once the first runs.
    auto a = c.add(add_request(first, dir.path() / "out"));
    ASSERT_TRUE(a);
    ASSERT_TRUE(poll_until({&c}, 20s, [&] { return c.find(*a)->stats.state == TorrentState::downloading; }));
    auto b = c.add(add_request(second, dir.path() / "out"));
    ASSERT_TRUE(b);
    ASSERT_TRUE(poll_until({&c}, 20s, [&] {
        return c.find(*a)->stats.state == TorrentState::downloading &&
               c.find(*b)->queued == TorrentSummary::Queued::to_download;
    }));
    ASSERT_TRUE(c.resume_now(*b));
    EXPECT_TRUE(poll_until({&c}, 20s, [&] {
        return c.find(*a)->stats.state == TorrentState::downloading &&
               c.find(*b)->stats.state == TorrentState::downloading &&
               c.find(*b)->queued == TorrentSummary::Queued::no;
    }));
    // A torrent the user stops is not queued; started again, it waits its turn.
    ASSERT_TRUE(c.pause(*b));
    EXPECT_EQ(c.find(*b)->queued, TorrentSummary::Queued::no);
    ASSERT_TRUE(c.resume(*b));
    EXPECT_EQ(c.find(*b)->queued, TorrentSummary::Queued::to_download);
    EXPECT_TRUE(poll_until({&c}, 20s, [&] {
        return c.find(*b)->queued == TorrentSummary::Queued::to_download && c.find(*b)->stats.state == TorrentState::paused;
    }));
    // Without the queue it starts.
    c.set_queue_settings({});
    EXPECT_TRUE(poll_until({&c}, 20s, [&] { return c.find(*b)->stats.state == TorrentState::downloading; }));
    EXPECT_EQ(c.find(*b)->queued, TorrentSummary::Queued::no);
}

TEST(ControllerQueue, PositionsAreKeptAndAnOldListComesBackInTheOrderItWasAdded) {
    TempDir dir;
    const fs::path state = dir.path() / "state";
    std::vector<CreatedTorrent> torrents;
    for (unsigned i = 0; i < 3; ++i) torrents.push_back(make_one_file_torrent(dir.path() / "data" / std::to_string(i), 20'000, i));
    {
        Controller c(on_loopback("127.0.0.1", state));
        std::vector<TorrentId> ids;
        for (unsigned i = 0; i < 3; ++i) {
            AddTorrent r = add_request(torrents[i], dir.path() / "out");
            r.added_on = 1'700'000'000 + i;
            auto id = c.add(r);
            ASSERT_TRUE(id) << id.error().message;
            ids.push_back(*id);
        }
        ASSERT_TRUE(c.move_in_queue({ids[2]}, QueueMove::top));
        EXPECT_EQ(positions(c), (std::vector<std::size_t>{1, 2, 0}));
        EXPECT_EQ(c.move_in_queue({TorrentId{999}}, QueueMove::top).error().code, ErrorCode::not_found);
    }
    {
        Controller c(on_loopback("127.0.0.1", state));
        EXPECT_TRUE(c.restore().empty());
        EXPECT_EQ(positions(c), (std::vector<std::size_t>{1, 2, 0}));
    }
    // Records from before queues: no position in them.
    for (const auto& entry : fs::directory_iterator(state / "torrents")) {
        if (entry.path().extension() != ".json") continue;
        std::stringstream text;
        text << std::ifstream(entry.path()).rdbuf();
        boost::json::object record = boost::json::parse(text.str()).as_object();
        ASSERT_TRUE(record.erase("queue_position"));
        std::ofstream(entry.path(), std::ios::trunc) << boost::json::serialize(record);
    }
    Controller c(on_loopback("127.0.0.1", state));
    EXPECT_TRUE(c.restore().empty());
    EXPECT_EQ(positions(c), (std::vector<std::size_t>{0, 1, 2}));
}
