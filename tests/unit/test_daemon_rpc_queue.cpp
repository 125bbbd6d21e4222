// Transmission's queue in shoald's RPC: session-get and session-set of the queue settings,
// queuePosition, the waiting statuses (3 and 5), queue-move-* and torrent-start-now.
#include "daemon_methods_fixture.hpp"

namespace shoal::daemon {
namespace {

std::string result_of(json::object answer) { return std::string(answer["result"].as_string()); }

class DaemonQueue : public DaemonMethods {
protected:
    std::int64_t position(std::int64_t id) { return get(id, {"queuePosition"})["queuePosition"].as_int64(); }
    std::vector<std::int64_t> positions(const std::vector<std::int64_t>& ids) {
        std::vector<std::int64_t> out;
        for (auto id : ids) out.push_back(position(id));
        return out;
    }
    // Added with its data missing, so that it downloads (from nobody).
    std::int64_t add_download(const std::string& metainfo) {
        auto answer = call("torrent-add", {{"metainfo", to_base64(metainfo)},
                                           {"download-dir", (dir_.path() / "empty").string()}});
        EXPECT_EQ(answer["result"], "success") << json::serialize(answer);
        return answer["arguments"].as_object()["torrent-added"].as_object()["id"].as_int64();
    }
};

TEST_F(DaemonQueue, SessionGetAndSetTheQueue) {
    auto got = call("session-get")["arguments"].as_object();
    EXPECT_EQ(got["download-queue-enabled"], false);  // the fixture's controller has no queue
    EXPECT_EQ(got["download-queue-size"], 5);
    EXPECT_EQ(got["seed-queue-enabled"], false);
    EXPECT_EQ(got["seed-queue-size"], 10);
    EXPECT_EQ(got["queue-stalled-enabled"], true);
    EXPECT_EQ(got["queue-stalled-minutes"], 30);

    ASSERT_EQ(result_of(call("session-set", {{"download-queue-enabled", true},
                                              {"download-queue-size", 2},
                                              {"seed-queue-enabled", true},
                                              {"seed-queue-size", 3},
                                              {"queue-stalled-enabled", false},
                                              {"queue-stalled-minutes", 12}})),
              "success");
    const control::QueueSettings q = controller_->queue_settings();
    EXPECT_TRUE(q.download_enabled);
    EXPECT_EQ(q.download_size, 2);
    EXPECT_TRUE(q.seed_enabled);
    EXPECT_EQ(q.seed_size, 3);
    EXPECT_FALSE(q.stalled_enabled);
    EXPECT_EQ(q.stalled_after, std::chrono::minutes(12));
    got = call("session-get", {{"fields", json::array{"download-queue-size", "seed-queue-enabled"}}})["arguments"].as_object();
    EXPECT_EQ(got["download-queue-size"], 2);
    EXPECT_EQ(got["seed-queue-enabled"], true);

    // Out of range or of the wrong type: refused, and nothing changes.
    EXPECT_NE(result_of(call("session-set", {{"seed-queue-size", 9}, {"download-queue-size", 0}})), "success");
    EXPECT_NE(result_of(call("session-set", {{"queue-stalled-minutes", "ten"}})), "success");
    EXPECT_EQ(controller_->queue_settings(), q);

    // Kept across a restart, like session-set's other changes: the session starts with the
    // config's queue, and the kept change is applied over it.
    controller_->set_queue_settings({});
    restart_methods();
    EXPECT_EQ(controller_->queue_settings(), q);
    got = call("session-get")["arguments"].as_object();
    EXPECT_EQ(got["download-queue-size"], 2);
    EXPECT_EQ(got["queue-stalled-enabled"], false);
}

TEST_F(DaemonQueue, PositionsAndMoves) {
    const auto a = add(make_torrent("a.bin", 20'000, 1), true);
    const auto b = add(make_torrent("b.bin", 20'000, 2), true);
    const auto c = add(make_torrent("c.bin", 20'000, 3), true);
    EXPECT_EQ(positions({a, b, c}), (std::vector<std::int64_t>{0, 1, 2}));
    ASSERT_EQ(result_of(call("queue-move-top", {{"ids", json::array{c}}})), "success");
    EXPECT_EQ(positions({a, b, c}), (std::vector<std::int64_t>{1, 2, 0}));
    ASSERT_EQ(result_of(call("queue-move-down", {{"ids", json::array{c}}})), "success");
    EXPECT_EQ(positions({a, b, c}), (std::vector<std::int64_t>{0, 2, 1}));
    ASSERT_EQ(result_of(call("queue-move-bottom", {{"ids", json::array{a}}})), "success");
    EXPECT_EQ(positions({a, b, c}), (std::vector<std::int64_t>{2, 1, 0}));
    ASSERT_EQ(result_of(call("queue-move-up", {{"ids", json::array{a, b}}})), "success");
    EXPECT_EQ(positions({a, b, c}), (std::vector<std::int64_t>{1, 0, 2}));
    // By hash too; one that is not there moves nothing.
    const std::string hash = std::string(get(c, {"hashString"})["hashString"].as_string());
    ASSERT_EQ(result_of(call("queue-move-top", {{"ids", json::array{hash}}})), "success");
    EXPECT_EQ(positions({a, b, c}), (std::vector<std::int64_t>{2, 1, 0}));
    ASSERT_EQ(result_of(call("queue-move-top", {{"ids", json::array{std::string(40, 'f')}}})), "success");
    EXPECT_EQ(positions({a, b, c}), (std::vector<std::int64_t>{2, 1, 0}));
    EXPECT_NE(result_of(call("queue-move-top", {{"ids", json::object{}}})), "success");
}

TEST_F(DaemonQueue, WaitingTorrentsHaveTheWaitStatusesAndStartNowSkipsTheQueue) {
    ASSERT_EQ(result_of(call("session-set", {{"download-queue-enabled", true},
                                              {"download-queue-size", 1},
                                              {"seed-queue-enabled", true},
                                              {"seed-queue-size", 1}})),
              "success");
    // Each added once the one before runs: the first checked takes a free slot.
    const auto seed1 = add(make_torrent("s1.bin", 20'000, 1), false);
    EXPECT_TRUE(wait_for_status(seed1, 6));
    const auto seed2 = add(make_torrent("s2.bin", 20'000, 2), false);
    EXPECT_TRUE(wait_for_status(seed2, 5));
    const auto down1 = add_download(make_torrent("d1.bin", 20'000, 3));
    EXPECT_TRUE(wait_for_status(down1, 4));
    const auto down2 = add_download(make_torrent("d2.bin", 20'000, 4));
    EXPECT_TRUE(wait_for_status(down2, 3));
    EXPECT_EQ(positions({seed1, seed2, down1, down2}), (std::vector<std::int64_t>{0, 1, 2, 3}));
    ASSERT_EQ(result_of(call("torrent-start-now", {{"ids", json::array{seed2, down2}}})), "success");
    EXPECT_TRUE(wait_for_status(seed2, 6));
    EXPECT_TRUE(wait_for_status(down2, 4));
    EXPECT_TRUE(wait_for_status(seed1, 6));
    EXPECT_TRUE(wait_for_status(down1, 4));
    // Stopped, a torrent is not queued: 0, and its slot is free.
    ASSERT_EQ(result_of(call("torrent-stop", {{"ids", json::array{down2, down1}}})), "success");
    EXPECT_TRUE(wait_for_status(down1, 0));
    EXPECT_TRUE(wait_for_status(down2, 0));
    ASSERT_EQ(result_of(call("torrent-start", {{"ids", json::array{down2, down1}}})), "success");
    // down1 is first in the queue: it takes the one slot.
    EXPECT_TRUE(wait_for_status(down1, 4));
    EXPECT_TRUE(wait_for_status(down2, 3));
}

}  // namespace
}  // namespace shoal::daemon
