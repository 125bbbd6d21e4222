// shoald's RPC: torrent-set-location (moving a torrent's data, or looking for it elsewhere)
// and torrent-set's `location`, over a real Controller.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "daemon_methods_fixture.hpp"

namespace shoal::daemon {
namespace {

namespace fs = std::filesystem;

std::string result_of(const json::object& answer) { return std::string(answer.at("result").as_string()); }

class DaemonLocation : public DaemonMethods {
protected:
    // Polls until torrent `id`'s downloadDir is `dir`.
    bool wait_for_dir(std::int64_t id, const fs::path& dir) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (std::chrono::steady_clock::now() < deadline) {
            (void)controller_->poll();
            if (get(id, {"downloadDir"})["downloadDir"] == json::value(dir.string())) return true;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return false;
    }
    // The saved list's records mention `text`.
    bool record_mentions(const std::string& text) {
        for (const auto& entry : fs::directory_iterator(dir_.path() / "state" / "torrents")) {
            std::ifstream in(entry.path(), std::ios::binary);
            const std::string bytes{std::istreambuf_iterator<char>(in), {}};
            if (bytes.find(text) != std::string::npos) return true;
        }
        return false;
    }
};

TEST_F(DaemonLocation, MoveTakesTheDataToTheNewFolderAndTheRecordKeepsIt) {
    const std::int64_t id = add(make_folder_torrent("album", {40'000, 20'000}), false);
    ASSERT_TRUE(wait_for_status(id, 6));  // seeding
    const std::string f0 = test::read_file(dir_.path() / "downloads" / "album" / "f0.bin");
    const fs::path moved = dir_.path() / "moved";

    auto answer = call("torrent-set-location", {{"ids", id}, {"location", moved.string()}, {"move", true}});
    ASSERT_EQ(answer["result"], "success") << json::serialize(answer);
    ASSERT_TRUE(wait_for_dir(id, moved));
    EXPECT_EQ(test::read_file(moved / "album" / "f0.bin"), f0);
    EXPECT_FALSE(fs::exists(dir_.path() / "downloads" / "album"));
    EXPECT_TRUE(record_mentions(moved.string()));
    EXPECT_TRUE(wait_for_status(id, 6));
    EXPECT_DOUBLE_EQ(get(id, {"percentDone"})["percentDone"].to_number<double>(), 1.0);
}

TEST_F(DaemonLocation, WithoutMoveTheDataIsLookedForInTheNewFolder) {
    const std::int64_t id = add(make_folder_torrent("album", {40'000, 20'000}), false);
    ASSERT_TRUE(wait_for_status(id, 6));
    const fs::path elsewhere = dir_.path() / "elsewhere";
    fs::create_directories(elsewhere);
    // Not there yet: the check finds nothing.
    ASSERT_EQ(call("torrent-set-location", {{"ids", id}, {"location", elsewhere.string()}})["result"], "success");
    ASSERT_TRUE(wait_for_dir(id, elsewhere));
    EXPECT_TRUE(fs::exists(dir_.path() / "downloads" / "album" / "f0.bin"));  // nothing moved
    EXPECT_TRUE(wait_for_status(id, 4));                                      // downloading
    // torrent-set's location does the same: back to where the data is, and it is found.
    ASSERT_EQ(call("torrent-set", {{"ids", id}, {"location", (dir_.path() / "downloads").string()}})["result"],
              "success");
    ASSERT_TRUE(wait_for_dir(id, dir_.path() / "downloads"));
    EXPECT_TRUE(wait_for_status(id, 6));
}

TEST_F(DaemonLocation, AMoveThatFailsLeavesTheDataAndSaysWhy) {
    const std::int64_t id = add(make_folder_torrent("album", {40'000}), false);
    ASSERT_TRUE(wait_for_status(id, 6));
    const fs::path blocked = dir_.path() / "blocked";
    test::write_file(blocked / "album", 3, 1);  // a file where the torrent's folder would go
    ASSERT_EQ(call("torrent-set-location", {{"ids", id}, {"location", blocked.string()}, {"move", true}})["result"],
              "success");
    std::string error;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (error.empty() && std::chrono::steady_clock::now() < deadline) {
        (void)controller_->poll();
        error = std::string(get(id, {"errorString"})["errorString"].as_string());
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_NE(error.find((blocked / "album").string()), std::string::npos) << error;
    EXPECT_EQ(get(id, {"downloadDir"})["downloadDir"], json::value((dir_.path() / "downloads").string()));
    EXPECT_TRUE(fs::exists(dir_.path() / "downloads" / "album" / "f0.bin"));
    EXPECT_TRUE(record_mentions((dir_.path() / "downloads").string()));
}

// With an incomplete folder, a torrent added later waits there; its downloadDir is where it
// goes once complete, and setting its location changes that without moving anything.
TEST_F(DaemonLocation, AnIncompleteFolderHoldsDownloadsUntilComplete) {
    auto a = call("session-get")["arguments"].as_object();
    EXPECT_EQ(a["incomplete-dir-enabled"], false);
    EXPECT_EQ(a["incomplete-dir"], json::value((dir_.path() / "state" / "incomplete").string()));
    EXPECT_NE(result_of(call("session-set", {{"incomplete-dir", "relative"}})).find("incomplete-dir"),
              std::string::npos);
    const fs::path partial = dir_.path() / "partial";
    const fs::path later = dir_.path() / "later";
    ASSERT_EQ(call("session-set", {{"incomplete-dir", partial.string()},
                                   {"incomplete-dir-enabled", true},
                                   {"download-dir", later.string()}})["result"],
              "success");
    a = call("session-get")["arguments"].as_object();
    EXPECT_EQ(a["incomplete-dir-enabled"], true);
    EXPECT_EQ(a["incomplete-dir"], json::value(partial.string()));

    const std::int64_t id = add(make_folder_torrent("album", {40'000}), true);
    EXPECT_EQ(get(id, {"downloadDir"})["downloadDir"], json::value(later.string()));
    EXPECT_EQ(controller_->summaries().back().save_dir, partial);

    const fs::path final_dir = dir_.path() / "final";
    ASSERT_EQ(call("torrent-set-location", {{"ids", id}, {"location", final_dir.string()}, {"move", true}})["result"],
              "success");
    EXPECT_EQ(get(id, {"downloadDir"})["downloadDir"], json::value(final_dir.string()));
    EXPECT_EQ(controller_->summaries().back().save_dir, partial);
    EXPECT_TRUE(record_mentions(final_dir.string()));

    // Said to be where the data is: found there, and the wait is over.
    ASSERT_EQ(call("torrent-set-location", {{"ids", id}, {"location", (dir_.path() / "downloads").string()}})["result"],
              "success");
    ASSERT_EQ(call("torrent-start", {{"ids", id}})["result"], "success");
    ASSERT_TRUE(wait_for_dir(id, dir_.path() / "downloads"));
    EXPECT_TRUE(wait_for_status(id, 6));
    EXPECT_TRUE(controller_->summaries().back().complete_dir.empty());
}

TEST_F(DaemonLocation, BadArgumentsAreRefused) {
    const std::int64_t id = add(make_torrent("one.bin", 10'000, 3), true);
    EXPECT_NE(call("torrent-set-location", {{"ids", id}})["result"], "success");
    EXPECT_NE(result_of(call("torrent-set-location", {{"ids", id}, {"location", "relative/dir"}})).find("absolute"),
              std::string::npos);
    EXPECT_NE(call("torrent-set-location", {{"ids", id}, {"location", ""}})["result"], "success");
    EXPECT_NE(call("torrent-set-location", {{"ids", id}, {"location", 5}})["result"], "success");
    EXPECT_NE(call("torrent-set-location", {{"ids", id}, {"location", "/x"}, {"move", "yes"}})["result"], "success");
    EXPECT_NE(call("torrent-set", {{"ids", id}, {"location", "relative"}})["result"], "success");
    EXPECT_EQ(get(id, {"downloadDir"})["downloadDir"], json::value((dir_.path() / "downloads").string()));
}

}  // namespace
}  // namespace shoal::daemon
