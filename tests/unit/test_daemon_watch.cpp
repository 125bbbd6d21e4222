// shoald's watch_dir over a real temporary folder and the scripted control layer: a file is
// added once it holds still, then renamed .added (or .invalid); limits and duplicates.
#include <gtest/gtest.h>

#include <fstream>

#include "creation/create_torrent.hpp"
#include "daemon/rpc_methods.hpp"
#include "daemon/watch_folder.hpp"
#include "fake_control.hpp"
#include "test_files.hpp"

using namespace shoal;
using namespace shoal::daemon;
namespace fs = std::filesystem;

namespace {

class DaemonWatch : public ::testing::Test {
protected:
    DaemonWatch() { fs::create_directories(folder()); }

    fs::path folder() const { return dir_.path() / "watch"; }

    std::string make_torrent(const std::string& name, unsigned seed) {
        const auto file = dir_.path() / "data" / name;
        test::write_file(file, 20'000, seed);
        CreateOptions options;
        options.format = TorrentFormat::v1;
        auto created = create_torrent(file, options);
        EXPECT_TRUE(created.ok());
        return created.ok() ? created->bytes : std::string{};
    }

    void put(const std::string& file, const std::string& bytes) {
        std::ofstream(folder() / file, std::ios::binary) << bytes;
    }

    std::vector<std::string> files() const {
        std::vector<std::string> names;
        for (const auto& e : fs::directory_iterator(folder())) names.push_back(e.path().filename().string());
        std::sort(names.begin(), names.end());
        return names;
    }

    test::TempDir dir_;
    boost::asio::io_context io_;
    gui::test::FakeControl control_;
    std::vector<std::string> said_;
    WatchFolder watch_{io_, control_, {folder(), dir_.path() / "downloads", {}},
                       [this](bool added, const std::string& m) { said_.push_back((added ? "+ " : "- ") + m); }};
};

TEST_F(DaemonWatch, AddsAFileOnceItHoldsStill) {
    put("one.torrent", make_torrent("one.bin", 1));
    put("notes.txt", "not a torrent");
    watch_.scan();
    EXPECT_TRUE(control_.calls().empty());  // seen once: it may still be being written
    EXPECT_TRUE(said_.empty());
    watch_.scan();
    ASSERT_EQ(control_.calls(), std::vector<std::string>{"add one.bin"});
    EXPECT_EQ(control_.summaries().at(0).save_dir, dir_.path() / "downloads");
    EXPECT_EQ(files(), (std::vector<std::string>{"notes.txt", "one.torrent.added"}));
    EXPECT_EQ(said_, std::vector<std::string>{"+ watch_dir: one.torrent: added"});
    watch_.scan();
    EXPECT_EQ(control_.calls().size(), 1u);
}

TEST_F(DaemonWatch, WaitsWhileAFileGrows) {
    const std::string bytes = make_torrent("grow.bin", 2);
    put("grow.torrent", bytes.substr(0, 100));
    watch_.scan();
    put("grow.torrent", bytes);
    watch_.scan();
    EXPECT_TRUE(control_.calls().empty());
    watch_.scan();
    EXPECT_EQ(control_.calls(), std::vector<std::string>{"add grow.bin"});
}

TEST_F(DaemonWatch, InvalidFilesAndDuplicates) {
    const std::string bytes = make_torrent("dup.bin", 3);
    put("bad.torrent", "d4:infoi1ee");
    put("dup.torrent", bytes);
    put("dup-again.torrent", bytes);
    watch_.scan();
    watch_.scan();
    EXPECT_EQ(control_.calls(), std::vector<std::string>{"add dup.bin"});
    EXPECT_EQ(files(), (std::vector<std::string>{"bad.torrent.invalid", "dup-again.torrent.added",
                                                 "dup.torrent.added"}));
    ASSERT_EQ(said_.size(), 3u);
    EXPECT_TRUE(said_[0].starts_with("- watch_dir: bad.torrent: ")) << said_[0];
    // In the order of their names.
    EXPECT_EQ(said_[1], "+ watch_dir: dup-again.torrent: added");
    EXPECT_EQ(said_[2], "+ watch_dir: dup.torrent: already in the list");
}

TEST_F(DaemonWatch, BoundsEachScan) {
    for (unsigned i = 0; i < WatchFolder::k_max_per_scan + 2; ++i) {
        put("t" + std::to_string(100 + i) + ".torrent", make_torrent("f" + std::to_string(i), i));
    }
    watch_.scan();
    watch_.scan();
    EXPECT_EQ(control_.calls().size(), WatchFolder::k_max_per_scan);
    watch_.scan();
    EXPECT_EQ(control_.calls().size(), WatchFolder::k_max_per_scan + 2);
}

TEST_F(DaemonWatch, RefusesATooLargeFile) {
    {
        std::ofstream big(folder() / "big.torrent", std::ios::binary);
        big.seekp(static_cast<std::streamoff>(k_max_torrent_file_bytes));
        big.put('e');
    }
    watch_.scan();
    watch_.scan();
    EXPECT_TRUE(control_.calls().empty());
    EXPECT_EQ(files(), std::vector<std::string>{"big.torrent.invalid"});
    ASSERT_EQ(said_.size(), 1u);
    EXPECT_NE(said_[0].find("larger than"), std::string::npos) << said_[0];
}

TEST_F(DaemonWatch, SaysOnceThatTheFolderIsMissing) {
    watch_.set_settings({dir_.path() / "nowhere", dir_.path() / "downloads", {}});
    watch_.scan();
    watch_.scan();
    ASSERT_EQ(said_.size(), 1u);
    EXPECT_NE(said_[0].find("nowhere"), std::string::npos) << said_[0];
}

TEST_F(DaemonWatch, ScansOnItsTimer) {
    WatchFolder fast(io_, control_, {folder(), dir_.path() / "downloads", {}}, [](bool, const std::string&) {},
                     std::chrono::milliseconds(10));
    put("timed.torrent", make_torrent("timed.bin", 9));
    fast.start();
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (control_.calls().empty() && std::chrono::steady_clock::now() < deadline) {
        io_.run_for(std::chrono::milliseconds(20));
    }
    fast.stop();
    EXPECT_EQ(control_.calls(), std::vector<std::string>{"add timed.bin"});
}

}  // namespace
