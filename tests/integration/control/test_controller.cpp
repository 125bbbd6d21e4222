// The control layer driving real sessions: typed errors, the torrent list kept across
// restarts in the state folder, a damaged record, the desktop client's old list, tracker
// editing and seed limits while two sessions trade on 127.0.0.1 and 127.0.0.2.
#include <gtest/gtest.h>

#include <bit>
#include <condition_variable>
#include <fstream>
#include <mutex>

#include <sys/stat.h>

#include "controller_on_loopback.hpp"

namespace fs = std::filesystem;
using namespace shoal;
using namespace shoal::control;
using namespace std::chrono_literals;
using test::on_loopback;
using test::TempDir;
using test::write_file;

namespace {

// Polls a controller whenever its session has news, until `done` says so or time runs out.
class Driver {
public:
    explicit Driver(Controller& c) : c_(c) {
        c.set_wakeup([this] {
            std::lock_guard lock(mutex_);
            woken_ = true;
            wake_.notify_all();
        });
    }
    ~Driver() { c_.set_wakeup({}); }

    bool until(std::chrono::seconds timeout, const std::function<bool(const Published&)>& done) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            Published p = c_.poll();
            for (auto& r : p.seed_limits_reached) reached.push_back(r);
            if (done(p)) return true;
            std::unique_lock lock(mutex_);
            wake_.wait_for(lock, 200ms, [this] { return woken_; });
            woken_ = false;
        }
        return false;
    }

    std::vector<SeedLimitReached> reached;

private:
    Controller& c_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool woken_ = false;
};

struct ControllerTest : ::testing::Test {
    TempDir dir;
    fs::path data = dir.path() / "data";
    fs::path state = dir.path() / "state";
    CreatedTorrent torrent;

    void SetUp() override {
        write_file(data / "set" / "a.bin", 300'000, 1);
        write_file(data / "set" / "b.bin", 100'000, 2);
        CreateOptions o;
        o.format = TorrentFormat::v1;  // no pad files: the file indices are the ones written
        o.piece_length = 64 * 1024;
        o.trackers = {{"http://127.0.0.9:1/announce"}};
        auto created = create_torrent(data / "set", o);
        ASSERT_TRUE(created) << created.error().message;
        torrent = std::move(*created);
    }

    AddTorrent request(const fs::path& save_dir) {
        AddTorrent r;
        r.metainfo = torrent.bytes;
        r.save_dir = save_dir;
        return r;
    }
};

}  // namespace

TEST_F(ControllerTest, CommandsReturnTypedErrors) {
    Controller c(on_loopback("127.0.0.1", state));
    const TorrentId nobody{999};
    EXPECT_EQ(c.pause(nobody).error().code, ErrorCode::not_found);
    EXPECT_EQ(c.remove(nobody, false).error().code, ErrorCode::not_found);
    EXPECT_EQ(c.add_tracker(nobody, "http://a/announce", 0).error().code, ErrorCode::not_found);

    AddTorrent garbage;
    garbage.metainfo = "not bencode";
    garbage.save_dir = data;
    EXPECT_EQ(c.add(garbage).error().code, ErrorCode::invalid_input);
    AddTorrent bad_magnet;
    bad_magnet.magnet = "magnet:?dn=no-hash";
    bad_magnet.save_dir = data;
    EXPECT_EQ(c.add(bad_magnet).error().code, ErrorCode::invalid_input);
    EXPECT_EQ(c.add(AddTorrent{}).error().code, ErrorCode::invalid_input);
    AddTorrent wrong_count = request(data);
    wrong_count.file_priorities = {4};
    EXPECT_EQ(c.add(wrong_count).error().code, ErrorCode::invalid_input);
    AddTorrent bad_tracker = request(data);
    bad_tracker.trackers = Tiers{{"ftp://x"}};
    EXPECT_EQ(c.add(bad_tracker).error().code, ErrorCode::invalid_input);
    AddTorrent bad_name = request(data);
    bad_name.file_names = {{0, "../escape"}};
    EXPECT_EQ(c.add(bad_name).error().code, ErrorCode::invalid_input);

    auto id = c.add(request(data));
    ASSERT_TRUE(id) << id.error().message;
    EXPECT_EQ(c.add(request(data)).error().code, ErrorCode::already_exists);
    // Until one is chosen, every file is normal: one priority a file all the same.
    EXPECT_EQ(c.file_priorities(*id), (std::vector<int>{4, 4}));
    EXPECT_EQ(c.details(*id)->file_priorities, (std::vector<int>{4, 4}));
    EXPECT_EQ(c.set_file_priority(*id, 2, 4).error().code, ErrorCode::invalid_input);
    EXPECT_EQ(c.set_file_priority(*id, 0, 8).error().code, ErrorCode::invalid_input);
    EXPECT_EQ(c.file_priorities(*id), (std::vector<int>{4, 4}));
    ASSERT_TRUE(c.set_file_priority(*id, 1, 6));
    EXPECT_EQ(c.file_priorities(*id), (std::vector<int>{4, 6}));
    EXPECT_EQ(c.rename_file(*id, 0, "a/b").error().code, ErrorCode::invalid_input);
    EXPECT_EQ(c.set_torrent_limits(*id, -1, 0).error().code, ErrorCode::invalid_input);
    EXPECT_EQ(c.remove_tracker(*id, "http://other/announce").error().code, ErrorCode::not_found);

    AddTorrent magnet;
    magnet.magnet = "magnet:?xt=urn:btih:" + std::string(40, 'd') + "&dn=waiting";
    magnet.save_dir = data;
    auto waiting = c.add(magnet);
    ASSERT_TRUE(waiting);
    EXPECT_EQ(c.find(*waiting)->name, "waiting");
    EXPECT_EQ(c.find(*waiting)->stats.state, TorrentState::fetching_metadata);
    EXPECT_EQ(c.rename_file(*waiting, 0, "x").error().code, ErrorCode::unavailable);
    EXPECT_EQ(c.set_file_priority(*waiting, 0, 4).error().code, ErrorCode::unavailable);
    EXPECT_TRUE(c.file_priorities(*waiting).empty());
}

TEST_F(ControllerTest, TheListComesBackAfterARestart) {
    const std::string magnet = "magnet:?xt=urn:btih:" + std::string(40, 'e') + "&dn=later";
    TorrentId id;
    {
        Controller c(on_loopback("127.0.0.1", state));
        auto added = c.add(request(data));
        ASSERT_TRUE(added) << added.error().message;
        id = *added;
        ASSERT_TRUE(c.pause(id));
        ASSERT_TRUE(c.set_file_priority(id, 1, 0));
        ASSERT_TRUE(c.add_tracker(id, "udp://127.0.0.9:2", -1));
        ASSERT_TRUE(c.replace_tracker(id, "http://127.0.0.9:1/announce", "http://127.0.0.9:3/announce"));
        ASSERT_TRUE(c.set_torrent_limits(id, 5000, 6000));
        ASSERT_TRUE(c.add_web_seed(id, "http://127.0.0.9:4/files/"));
        ASSERT_TRUE(c.add_web_seed(id, "http://127.0.0.9:5/files/"));
        ASSERT_TRUE(c.remove_web_seed(id, "http://127.0.0.9:4/files/"));
        EXPECT_EQ(c.add_web_seed(id, "http://127.0.0.9:5/files/").error().code, ErrorCode::already_exists);
        AddTorrent m;
        m.magnet = magnet;
        m.save_dir = data / "m";
        m.sequential = true;
        m.added_on = c.find(id)->added_on + 1;  // the list comes back oldest first
        ASSERT_TRUE(c.add(m));
        EXPECT_EQ(c.summaries().size(), 2u);
    }
    Controller next(on_loopback("127.0.0.1", state));
    const auto problems = next.restore();
    EXPECT_TRUE(problems.empty()) << problems.front().message;
    const auto list = next.summaries();
    ASSERT_EQ(list.size(), 2u);
    const TorrentSummary& t = list[0];
    EXPECT_EQ(t.store_id, torrent.info.info_hash_v1->hex());
    EXPECT_EQ(t.save_dir, data);
    EXPECT_EQ(t.upload_limit, 5000);
    EXPECT_EQ(t.download_limit, 6000);
    EXPECT_EQ(next.file_priorities(t.id), (std::vector<int>{4, 0}));
    EXPECT_EQ(next.trackers(t.id), (Tiers{{"http://127.0.0.9:3/announce"}, {"udp://127.0.0.9:2"}}));
    EXPECT_EQ(next.web_seeds(t.id), (std::vector<std::string>{"http://127.0.0.9:5/files/"}));
    EXPECT_EQ(list[1].magnet, magnet);
    EXPECT_TRUE(list[1].sequential);
    Driver d(next);
    EXPECT_TRUE(d.until(20s, [&](const Published&) { return next.find(t.id)->stats.state == TorrentState::paused; }));

    // Removed torrents stay removed. A record saved again after a restore, when the controller
    // no longer holds the .torrent file's bytes, still names the file.
    ASSERT_TRUE(next.remove(list[1].id, false));
    ASSERT_TRUE(next.set_torrent_limits(t.id, 7000, 8000));
    next.stop();
    Controller third(on_loopback("127.0.0.1", state));
    EXPECT_TRUE(third.restore().empty());
    ASSERT_EQ(third.summaries().size(), 1u);
    EXPECT_NE(third.summaries()[0].info, nullptr);
    EXPECT_EQ(third.summaries()[0].upload_limit, 7000);
    EXPECT_EQ(control::magnet_link(third.summaries()[0]).rfind("magnet:?xt=urn:btih:", 0), 0u);
}

// Restoring reads the list and writes nothing back: each record would otherwise be written
// again (a new file synced and renamed over it) at every start, thousands of syncs for a long
// list.
TEST_F(ControllerTest, RestoreLeavesTheRecordsAsTheyWere) {
    {
        Controller c(on_loopback("127.0.0.1", state));
        ASSERT_TRUE(c.add(request(data)));
    }
    const fs::path record = state / "torrents" / (torrent.info.info_hash_v1->hex() + ".json");
    auto inode = [&] {
        struct stat st {};
        return ::stat(record.c_str(), &st) == 0 ? st.st_ino : 0;
    };
    const auto before = inode();
    ASSERT_NE(before, 0u);
    Controller next(on_loopback("127.0.0.1", state));
    EXPECT_TRUE(next.restore().empty());
    EXPECT_EQ(next.summaries().size(), 1u);
    EXPECT_EQ(inode(), before);
}

// A complete torrent brought back by a restart is seeding from its resume data: it is said to
// be complete on disk, not downloaded now, and its resume data, which says the same, is not
// written again (a start and a stop of thousands of idle torrents would otherwise sync as many
// files twice).
TEST_F(ControllerTest, ARestartOfACompleteTorrentWritesNoResumeData) {
    const fs::path resume_dir = state / "resume";
    auto resume_inodes = [&] {
        std::vector<ino_t> inodes;
        std::error_code ec;
        for (const auto& f : fs::directory_iterator(resume_dir, ec)) {
            struct stat st {};
            if (::stat(f.path().c_str(), &st) == 0) inodes.push_back(st.st_ino);
        }
        return inodes;
    };
    {
        Controller c(on_loopback("127.0.0.1", state));
        auto id = c.add(request(data));
        ASSERT_TRUE(id) << id.error().message;
        Driver d(c);
        ASSERT_TRUE(d.until(20s, [&](const Published&) { return c.find(*id)->stats.state == TorrentState::seeding; }));
    }
    const auto before = resume_inodes();
    ASSERT_EQ(before.size(), 1u);
    {
        Controller next(on_loopback("127.0.0.1", state));
        ASSERT_TRUE(next.restore().empty());
        const TorrentId id = next.summaries().at(0).id;
        Driver d(next);
        std::optional<event::TorrentFinished> finished;
        ASSERT_TRUE(d.until(20s, [&](const Published& p) {
            for (const auto& e : p.events)
                if (auto* f = std::get_if<event::TorrentFinished>(&e)) finished = *f;
            return finished.has_value();
        }));
        EXPECT_FALSE(finished->downloaded);
        EXPECT_TRUE(next.find(id)->finished);
        EXPECT_EQ(next.find(id)->completed_on, 0);
        next.stop();
    }
    EXPECT_EQ(resume_inodes(), before);
}

// A torrent given parsed, without its file (one just made, or from a front-end that parsed
// it), comes back from the info dictionary with its trackers.
TEST_F(ControllerTest, ATorrentAddedWithoutItsFileComesBackWithItsTrackers) {
    {
        Controller c(on_loopback("127.0.0.1", state));
        AddTorrent r;
        r.info = std::make_shared<const TorrentInfo>(torrent.info);
        r.save_dir = data;
        ASSERT_TRUE(c.add(r));
    }
    Controller next(on_loopback("127.0.0.1", state));
    const auto problems = next.restore();
    ASSERT_TRUE(problems.empty()) << problems.front().message;
    ASSERT_EQ(next.summaries().size(), 1u);
    const TorrentSummary t = next.summaries()[0];
    EXPECT_EQ(t.info->info_hash_v1, torrent.info.info_hash_v1);
    EXPECT_EQ(next.trackers(t.id), torrent.info.trackers);
}

// In steps, as shoald restores while it answers: the same torrents in the same order and
// places in the queue, and the damaged record reported.
TEST_F(ControllerTest, RestoringInStepsGivesTheSameList) {
    const std::string magnet = "magnet:?xt=urn:btih:" + std::string(40, 'e') + "&dn=later";
    {
        Controller c(on_loopback("127.0.0.1", state));
        auto added = c.add(request(data));
        ASSERT_TRUE(added) << added.error().message;
        AddTorrent m;
        m.magnet = magnet;
        m.save_dir = data / "m";
        m.added_on = c.find(*added)->added_on + 1;
        ASSERT_TRUE(c.add(m));
    }
    std::ofstream(state / "torrents" / "damaged.json") << "{\"save_dir\": ";
    Controller at_once(on_loopback("127.0.0.1", state));
    EXPECT_EQ(at_once.restore().size(), 1u);
    const auto expected = at_once.summaries();
    at_once.stop();

    Controller c(on_loopback("127.0.0.1", state));
    std::vector<Error> problems;
    EXPECT_FALSE(c.restoring());
    c.begin_restore(problems);
    EXPECT_TRUE(c.restoring());
    int steps = 0;
    while (!c.restore_some(1, problems)) {
        ++steps;
        ASSERT_LT(steps, 20) << "a step lists, reads or restores at most one";
        (void)c.poll();  // what a front-end does between steps
    }
    EXPECT_GE(steps, 5) << "three records read and two torrents restored one a step";
    EXPECT_FALSE(c.restoring());
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_EQ(problems[0].code, ErrorCode::invalid_input);
    const auto list = c.summaries();
    ASSERT_EQ(list.size(), expected.size());
    for (std::size_t i = 0; i < list.size(); ++i) {
        EXPECT_EQ(list[i].store_id, expected[i].store_id);
        EXPECT_EQ(list[i].queue_position, expected[i].queue_position);
    }
    EXPECT_TRUE(c.restore_some(1, problems)) << "nothing more to do";
}

TEST_F(ControllerTest, ADamagedRecordDoesNotLoseTheOthers) {
    {
        Controller c(on_loopback("127.0.0.1", state));
        ASSERT_TRUE(c.add(request(data)));
    }
    std::ofstream(state / "torrents" / "damaged.json") << "{\"save_dir\": ";
    std::ofstream(state / "torrents" / (std::string(40, 'f') + ".json")) << R"({"save_dir": "/x", "magnet": "nonsense"})";
    const std::string without_file(40, 'e');
    std::ofstream(state / "torrents" / (without_file + ".json"))
        << R"({"save_dir": "/x", "metainfo": ")" << without_file << R"(.torrent"})";
    Controller c(on_loopback("127.0.0.1", state));
    const auto problems = c.restore();
    EXPECT_EQ(problems.size(), 3u);
    for (const auto& p : problems) EXPECT_EQ(p.code, ErrorCode::invalid_input) << p.message;
    EXPECT_EQ(c.summaries().size(), 1u);
}

TEST_F(ControllerTest, RestoreMigratesTheDesktopClientsOldList) {
    const fs::path old = dir.path() / "old";
    fs::create_directories(old);
    const std::string id = torrent.info.info_hash_v1->hex();
    std::ofstream(old / (id + ".torrent"), std::ios::binary) << torrent.bytes;
    std::ofstream(old / "torrents.json") << R"({")" << id << R"(": {"file": ")" << id << R"(.torrent", "save_dir": ")"
                                         << data.string() << R"(", "paused": true, "priorities": [0, 4],
        "added_on": "2024-01-02T03:04:05Z", "file_names": {"1": "bee.bin"}}})";
    ControllerSettings s = on_loopback("127.0.0.1", state);
    s.legacy_desktop_store = old;
    Controller c(s);
    EXPECT_TRUE(c.restore().empty());
    ASSERT_EQ(c.summaries().size(), 1u);
    const TorrentSummary t = c.summaries()[0];
    EXPECT_EQ(t.added_on, 1704164645);
    EXPECT_EQ(c.file_priorities(t.id), (std::vector<int>{0, 4}));
    EXPECT_EQ(t.info->files[1].path.back(), "bee.bin");
    EXPECT_TRUE(fs::exists(state / "torrents" / (id + ".json")));
}

// A leech downloads from a seed; its seed time is then measured with a clock the test moves,
// and at the limit the torrent is paused, and stays paused after a restart.
TEST_F(ControllerTest, SeedTimeLimitPausesAndIsRemembered) {
    ControllerSettings seed_settings = on_loopback("127.0.0.1", dir.path() / "seed-state");
    seed_settings.keep_torrent_list = false;
    Controller seed(seed_settings);
    AddTorrent shared = request(data);
    shared.skip_check = true;
    ASSERT_TRUE(seed.add(shared));

    auto now = std::chrono::steady_clock::now();
    ControllerSettings leech_settings = on_loopback("127.0.0.2", state);
    leech_settings.seed_limits.time = 10min;
    leech_settings.now = [&] { return now; };
    Controller leech(leech_settings);
    AddTorrent wanted = request(dir.path() / "out");
    wanted.peers = {{boost::asio::ip::make_address("127.0.0.1"), seed.listen_port()}};
    auto id = leech.add(wanted);
    ASSERT_TRUE(id) << id.error().message;
    Driver d(leech);
    ASSERT_TRUE(d.until(60s, [&](const Published&) { return leech.find(*id)->finished; }));
    EXPECT_TRUE(d.reached.empty());
    now += 9min;
    EXPECT_FALSE(d.until(1s, [&](const Published&) { return !d.reached.empty(); }));
    now += 1min;
    ASSERT_TRUE(d.until(10s, [&](const Published&) { return !d.reached.empty(); }));
    EXPECT_EQ(d.reached[0].id, *id);
    EXPECT_TRUE(leech.find(*id)->seed_limit_reached);
    // The details snapshot: every piece, and the seed among the peers.
    ASSERT_TRUE(leech.request_details(*id));
    ASSERT_TRUE(d.until(10s, [&](const Published&) { return !leech.details(*id)->have.empty(); }));
    const TorrentDetails details = *leech.details(*id);
    EXPECT_EQ(details.file_priorities, (std::vector<int>{4, 4}));
    EXPECT_EQ(details.trackers, torrent.info.trackers);
    EXPECT_EQ(details.have.size(), static_cast<std::size_t>((torrent.info.num_pieces + 7) / 8));
    int have = 0;
    for (char byte : details.have) have += std::popcount(static_cast<unsigned char>(byte));
    EXPECT_EQ(have, torrent.info.num_pieces);
    EXPECT_FALSE(leech.details(TorrentId{999}));
    EXPECT_TRUE(d.until(10s, [&](const Published&) { return leech.find(*id)->stats.state == TorrentState::paused; }));
    leech.stop();

    Controller again(on_loopback("127.0.0.2", state));
    EXPECT_TRUE(again.restore().empty());
    Driver d2(again);
    const TorrentId restored = again.summaries().at(0).id;
    EXPECT_TRUE(d2.until(20s, [&](const Published&) { return again.find(restored)->stats.state == TorrentState::paused; }));
}

// A torrent's own idle limit over none in the session: a seed that uploads nothing stops after
// that many minutes, and the limit is kept in its record across a restart.
TEST_F(ControllerTest, ATorrentsOwnIdleLimitPausesAnIdleSeedAndIsKept) {
    auto now = std::chrono::steady_clock::now();
    ControllerSettings settings = on_loopback("127.0.0.1", state);
    settings.now = [&] { return now; };
    auto id = TorrentId{};
    {
        Controller seed(settings);
        AddTorrent shared = request(data);
        shared.skip_check = true;
        auto added = seed.add(shared);
        ASSERT_TRUE(added) << added.error().message;
        id = *added;
        const TorrentSeedLimits own{.idle_mode = SeedLimitMode::own, .idle_minutes = 5};
        EXPECT_EQ(seed.set_torrent_seed_limits(id, {.idle_mode = static_cast<SeedLimitMode>(5)}).error().code,
                  ErrorCode::invalid_input);
        EXPECT_EQ(seed.set_torrent_seed_limits(TorrentId{999}, own).error().code, ErrorCode::not_found);
        ASSERT_TRUE(seed.set_torrent_seed_limits(id, own));
        EXPECT_EQ(seed.find(id)->seed_limits, own);
        Driver d(seed);
        ASSERT_TRUE(d.until(30s, [&](const Published&) { return seed.find(id)->finished; }));
        now += 4min;
        EXPECT_FALSE(d.until(1s, [&](const Published&) { return !d.reached.empty(); }));
        now += 1min;
        ASSERT_TRUE(d.until(10s, [&](const Published&) { return !d.reached.empty(); }));
        EXPECT_NE(d.reached[0].reason.find("nothing uploaded for 5 minutes"), std::string::npos) << d.reached[0].reason;
        EXPECT_TRUE(d.until(10s, [&](const Published&) { return seed.find(id)->stats.state == TorrentState::paused; }));
    }
    Controller again(on_loopback("127.0.0.1", state));
    EXPECT_TRUE(again.restore().empty());
    const TorrentSummary restored = again.summaries().at(0);
    EXPECT_EQ(restored.seed_limits.idle_mode, SeedLimitMode::own);
    EXPECT_EQ(restored.seed_limits.idle_minutes, 5);
}

// A seed with a ratio limit, report only: reached once the leech has taken every byte.
TEST_F(ControllerTest, SeedRatioLimitIsReported) {
    ControllerSettings seed_settings = on_loopback("127.0.0.1", {});
    seed_settings.seed_limits.ratio = 1.0;
    seed_settings.seed_limit_action = SeedLimitAction::report;
    Controller seed(seed_settings);
    AddTorrent shared = request(data);
    shared.skip_check = true;
    auto seed_id = seed.add(shared);
    ASSERT_TRUE(seed_id);

    Controller leech(on_loopback("127.0.0.2", {}));
    AddTorrent wanted = request(dir.path() / "out");
    wanted.peers = {{boost::asio::ip::make_address("127.0.0.1"), seed.listen_port()}};
    ASSERT_TRUE(leech.add(wanted));
    Driver seeding(seed);
    Driver leeching(leech);
    ASSERT_TRUE(seeding.until(60s, [&](const Published&) {
        (void)leech.poll();
        return !seeding.reached.empty();
    }));
    EXPECT_EQ(seeding.reached[0].id, *seed_id);
    EXPECT_NE(seeding.reached[0].reason.find("ratio"), std::string::npos);
    EXPECT_NE(seed.find(*seed_id)->stats.state, TorrentState::paused);
}
