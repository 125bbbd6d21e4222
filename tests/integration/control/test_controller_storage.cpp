// Where the control layer keeps a torrent's data, over real sessions on 127.0.0.1 and
// 127.0.0.2: an incomplete folder that holds a download until it is complete, then moved to
// its save folder, also after a restart that came in between.
#include <gtest/gtest.h>

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

struct ControllerStorage : ::testing::Test {
    TempDir dir;
    fs::path out = dir.path() / "out";
    fs::path incomplete = dir.path() / "incomplete";
    fs::path state = dir.path() / "state";
    CreatedTorrent torrent = make_one_file_torrent(dir.path() / "data" / "set", 300'000, 7);

    AddTorrent wanted() {
        AddTorrent r = add_request(torrent, out);
        r.incomplete_dir = incomplete;
        return r;
    }
};

}  // namespace

TEST_F(ControllerStorage, ADownloadWaitsInTheIncompleteFolderThenMovesToItsSaveFolder) {
    Controller seed(on_loopback("127.0.0.1", {}));
    AddTorrent shared = add_request(torrent, dir.path() / "data");
    shared.skip_check = true;
    ASSERT_TRUE(seed.add(shared));
    ASSERT_TRUE(seed.set_rate_limits(150'000, 0));  // about two seconds: seen while it downloads

    Controller leech(on_loopback("127.0.0.2", state));
    AddTorrent request = wanted();
    request.peers = {{boost::asio::ip::make_address("127.0.0.1"), seed.listen_port()}};
    auto id = leech.add(request);
    ASSERT_TRUE(id) << id.error().message;
    EXPECT_EQ(leech.find(*id)->save_dir, incomplete);
    EXPECT_EQ(leech.find(*id)->complete_dir, out);
    ASSERT_TRUE(poll_until({&seed, &leech}, 20s, [&] { return fs::exists(incomplete / "set" / "data.bin"); }));
    EXPECT_FALSE(fs::exists(out / "set"));

    ASSERT_TRUE(poll_until({&seed, &leech}, 60s, [&] {
        const TorrentSummary* s = leech.find(*id);
        return s->finished && s->save_dir == out;
    }));
    EXPECT_TRUE(leech.find(*id)->complete_dir.empty());
    EXPECT_EQ(test::read_file(out / "set" / "data.bin"), test::read_file(dir.path() / "data" / "set" / "data.bin"));
    EXPECT_FALSE(fs::exists(incomplete / "set"));
    leech.stop();

    Controller again(on_loopback("127.0.0.2", state));
    EXPECT_TRUE(again.restore().empty());
    const TorrentSummary restored = again.summaries().at(0);
    EXPECT_EQ(restored.save_dir, out);
    EXPECT_TRUE(restored.complete_dir.empty());
}

// Complete in the incomplete folder but not yet moved (as after a restart between the two):
// the check that finds it complete moves it.
TEST_F(ControllerStorage, DataFoundCompleteInTheIncompleteFolderIsMoved) {
    fs::create_directories(incomplete);
    fs::copy(dir.path() / "data" / "set", incomplete / "set", fs::copy_options::recursive);
    Controller c(on_loopback("127.0.0.2", state));
    auto id = c.add(wanted());
    ASSERT_TRUE(id) << id.error().message;
    ASSERT_TRUE(poll_until({&c}, 30s, [&] { return c.find(*id)->save_dir == out; }));
    EXPECT_TRUE(fs::exists(out / "set" / "data.bin"));
    EXPECT_FALSE(fs::exists(incomplete / "set"));
}

// A torrent whose data is in its save folder already goes on there.
TEST_F(ControllerStorage, DataAlreadyInTheSaveFolderStaysThere) {
    Controller c(on_loopback("127.0.0.2", state));
    AddTorrent request = wanted();
    request.save_dir = dir.path() / "data";
    auto id = c.add(request);
    ASSERT_TRUE(id) << id.error().message;
    EXPECT_EQ(c.find(*id)->save_dir, dir.path() / "data");
    EXPECT_TRUE(c.find(*id)->complete_dir.empty());
    ASSERT_TRUE(poll_until({&c}, 30s, [&] { return c.find(*id)->finished; }));
    EXPECT_FALSE(fs::exists(incomplete));
}

// Moving a torrent that is still incomplete changes where it goes once finished; saying its
// data is somewhere already (no move) ends the wait.
TEST_F(ControllerStorage, MovingAnIncompleteTorrentChangesWhereItGoes) {
    Controller c(on_loopback("127.0.0.2", state));
    AddTorrent request = wanted();
    request.paused = true;
    auto id = c.add(request);
    ASSERT_TRUE(id) << id.error().message;
    const fs::path elsewhere = dir.path() / "elsewhere";
    ASSERT_TRUE(c.move_storage(*id, elsewhere, true));
    EXPECT_EQ(c.find(*id)->save_dir, incomplete);
    EXPECT_EQ(c.find(*id)->complete_dir, elsewhere);
    c.stop();

    Controller again(on_loopback("127.0.0.2", state));
    EXPECT_TRUE(again.restore().empty());
    const TorrentId restored = again.summaries().at(0).id;
    EXPECT_EQ(again.find(restored)->complete_dir, elsewhere);
    ASSERT_TRUE(again.move_storage(restored, dir.path() / "data", false));
    EXPECT_TRUE(again.find(restored)->complete_dir.empty());
    ASSERT_TRUE(poll_until({&again}, 30s, [&] { return again.find(restored)->save_dir == dir.path() / "data"; }));
}
