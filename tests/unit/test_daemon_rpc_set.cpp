// shoald's RPC: what changes torrents and the session (torrent-set, torrent-rename-path,
// session-set, session-close), the detailed torrent-get fields, recently-active, and the
// methods Shoal answers with what it cannot do.
#include <gtest/gtest.h>

#include "daemon_methods_fixture.hpp"

namespace shoal::daemon {
namespace {

std::string result_of(const json::object& answer) { return std::string(answer.at("result").as_string()); }

TEST_F(DaemonMethods, FilesWantedAndPriorities) {
    const std::int64_t id = add(make_folder_torrent("set", {40'000, 20'000, 5'000}), true);
    ASSERT_GT(id, 0);
    auto t = get(id, {"files", "fileStats", "wanted", "priorities", "file-count"});
    ASSERT_EQ(t["files"].as_array().size(), 3u);
    EXPECT_EQ(t["files"].as_array()[1].as_object()["name"], "set/f1.bin");
    EXPECT_EQ(t["files"].as_array()[1].as_object()["length"], 20'000);
    EXPECT_EQ(t["wanted"], (json::array{1, 1, 1}));
    EXPECT_EQ(t["priorities"], (json::array{0, 0, 0}));
    EXPECT_EQ(t["file-count"], 3);

    auto answer = call("torrent-set", {{"ids", id},
                                       {"files-unwanted", json::array{1}},
                                       {"priority-high", json::array{0}},
                                       {"priority-low", json::array{2}}});
    ASSERT_EQ(answer["result"], "success") << json::serialize(answer);
    t = get(id, {"wanted", "priorities", "fileStats"});
    EXPECT_EQ(t["wanted"], (json::array{1, 0, 1}));
    EXPECT_EQ(t["priorities"], (json::array{1, 0, -1}));
    EXPECT_EQ(t["fileStats"].as_array()[1].as_object()["wanted"], false);
    EXPECT_EQ(t["fileStats"].as_array()[0].as_object()["priority"], 1);

    // An empty list is every file.
    ASSERT_EQ(call("torrent-set", {{"ids", id}, {"files-wanted", json::array{}}})["result"], "success");
    EXPECT_EQ(get(id, {"wanted"})["wanted"], (json::array{1, 1, 1}));

    answer = call("torrent-set", {{"ids", id}, {"files-unwanted", json::array{3}}});
    EXPECT_NE(result_of(answer).find("does not have"), std::string::npos) << result_of(answer);
    answer = call("torrent-set", {{"ids", id}, {"files-unwanted", "all"}});
    EXPECT_NE(answer["result"], "success");
}

TEST_F(DaemonMethods, FilesChosenWhenAdded) {
    const std::string metainfo = make_folder_torrent("chosen", {30'000, 30'000});
    auto answer = call("torrent-add", {{"metainfo", to_base64(metainfo)},
                                       {"paused", true},
                                       {"files-unwanted", json::array{0}}});
    ASSERT_EQ(answer["result"], "success") << json::serialize(answer);
    const auto id = answer["arguments"].as_object()["torrent-added"].as_object()["id"].as_int64();
    EXPECT_EQ(get(id, {"wanted"})["wanted"], (json::array{0, 1}));
}

TEST_F(DaemonMethods, SeedingFilesAreComplete) {
    const std::int64_t id = add(make_folder_torrent("done", {70'000, 3'000}), false);
    ASSERT_TRUE(wait_for_status(id, 6));
    auto t = get(id, {"files"});
    EXPECT_EQ(t["files"].as_array()[0].as_object()["bytesCompleted"], 70'000);
    EXPECT_EQ(t["files"].as_array()[1].as_object()["bytesCompleted"], 3'000);
}

TEST_F(DaemonMethods, TorrentLimits) {
    const std::int64_t id = add(make_torrent("limits.bin", 10'000, 4), true);
    ASSERT_EQ(call("torrent-set", {{"ids", id}, {"uploadLimit", 50}, {"uploadLimited", true}})["result"], "success");
    auto t = get(id, {"uploadLimit", "uploadLimited", "downloadLimited"});
    EXPECT_EQ(t["uploadLimit"], 50);
    EXPECT_EQ(t["uploadLimited"], true);
    EXPECT_EQ(t["downloadLimited"], false);
    ASSERT_EQ(call("torrent-set", {{"ids", id}, {"uploadLimited", false}, {"downloadLimit", 7}})["result"], "success");
    t = get(id, {"uploadLimited", "downloadLimit", "downloadLimited"});
    EXPECT_EQ(t["uploadLimited"], false);
    EXPECT_EQ(t["downloadLimit"], 7);
    EXPECT_EQ(t["downloadLimited"], true);
    EXPECT_NE(call("torrent-set", {{"ids", id}, {"uploadLimit", -5}})["result"], "success");
}

// Transmission's RPC cannot change web seeds; torrent-get lists them as the user left them.
TEST_F(DaemonMethods, WebSeedsAreListedAsChanged) {
    const std::int64_t id = add(make_torrent("seeded.bin", 10'000, 6), true);
    EXPECT_TRUE(get(id, {"webseeds"})["webseeds"].as_array().empty());
    ASSERT_TRUE(controller_->add_web_seed(TorrentId{static_cast<std::uint32_t>(id)}, "https://mirror.example/pub/"));
    auto t = get(id, {"webseeds", "webseedsSendingToUs"});
    ASSERT_EQ(t["webseeds"].as_array().size(), 1u);
    EXPECT_EQ(t["webseeds"].as_array()[0], "https://mirror.example/pub/");
    EXPECT_EQ(t["webseedsSendingToUs"], 0);
}

TEST_F(DaemonMethods, Trackers) {
    const std::int64_t id = add(make_torrent("trackers.bin", 10'000, 5), true);
    auto answer = call("torrent-set", {{"ids", id},
                                       {"trackerAdd", json::array{"http://a.example/announce",
                                                                  "udp://b.example:80/announce"}}});
    ASSERT_EQ(answer["result"], "success") << json::serialize(answer);
    auto t = get(id, {"trackers", "trackerStats", "trackerList"});
    ASSERT_EQ(t["trackers"].as_array().size(), 2u);
    EXPECT_EQ(t["trackers"].as_array()[1].as_object()["announce"], "udp://b.example:80/announce");
    EXPECT_EQ(t["trackers"].as_array()[1].as_object()["id"], 1);
    EXPECT_EQ(t["trackerStats"].as_array()[0].as_object()["host"], "http://a.example");
    EXPECT_EQ(t["trackerList"], "http://a.example/announce\n\nudp://b.example:80/announce\n");

    ASSERT_EQ(call("torrent-set", {{"ids", id}, {"trackerReplace", json::array{0, "http://c.example/announce"}}})
                  .at("result"),
              "success");
    ASSERT_EQ(call("torrent-set", {{"ids", id}, {"trackerRemove", json::array{1}}}).at("result"), "success");
    t = get(id, {"trackers"});
    ASSERT_EQ(t["trackers"].as_array().size(), 1u);
    EXPECT_EQ(t["trackers"].as_array()[0].as_object()["announce"], "http://c.example/announce");

    ASSERT_EQ(call("torrent-set", {{"ids", id}, {"trackerList", "http://x.example/a\nhttp://y.example/a\n\nhttp://z.example/a"}})
                  .at("result"),
              "success");
    t = get(id, {"trackers"});
    ASSERT_EQ(t["trackers"].as_array().size(), 3u);
    EXPECT_EQ(t["trackers"].as_array()[1].as_object()["tier"], 0);
    EXPECT_EQ(t["trackers"].as_array()[2].as_object()["tier"], 1);

    EXPECT_NE(call("torrent-set", {{"ids", id}, {"trackerRemove", json::array{9}}})["result"], "success");
    EXPECT_NE(call("torrent-set", {{"ids", id}, {"trackerAdd", json::array{"not a url"}}})["result"], "success");

    // A request that cannot be taken whole changes nothing: not the replacement before the bad
    // pair, not the removal before the bad id, not the additions before a bad replacement.
    const auto announces = [&] {
        std::vector<std::string> urls;
        auto t = get(id, {"trackers"});
        for (const auto& tracker : t["trackers"].as_array())
            urls.emplace_back(tracker.as_object().at("announce").as_string());
        return urls;
    };
    const auto before = announces();
    EXPECT_NE(call("torrent-set", {{"ids", id},
                                   {"trackerReplace", json::array{0, "http://new.example/a", 9, "http://new.example/b"}}})
                  .at("result"),
              "success");
    EXPECT_EQ(announces(), before);
    EXPECT_NE(call("torrent-set", {{"ids", id}, {"trackerRemove", json::array{0, 9}}}).at("result"), "success");
    EXPECT_EQ(announces(), before);
    EXPECT_NE(call("torrent-set", {{"ids", id},
                                   {"trackerAdd", json::array{"http://added.example/a"}},
                                   {"trackerReplace", json::array{7, "http://new.example/c"}}})
                  .at("result"),
              "success");
    EXPECT_EQ(announces(), before);
    // All four keys in one request, in Transmission's order: list, add, replace, remove.
    ASSERT_EQ(call("torrent-set", {{"ids", id},
                                   {"trackerList", "http://p.example/a\n\nhttp://q.example/a"},
                                   {"trackerAdd", json::array{"http://r.example/a"}},
                                   {"trackerReplace", json::array{2, "http://s.example/a"}},
                                   {"trackerRemove", json::array{0}}})
                  .at("result"),
              "success");
    EXPECT_EQ(announces(), (std::vector<std::string>{"http://q.example/a", "http://s.example/a"}));
}

// Sequential download is chosen when the torrent is added (Shoal has no switch for it later):
// torrent-add's sequentialDownload, reported by torrent-get.
TEST_F(DaemonMethods, SequentialDownloadIsChosenWhenAdded) {
    auto answer = call("torrent-add", {{"metainfo", to_base64(make_torrent("in-order.bin", 10'000, 12))},
                                       {"paused", true},
                                       {"sequentialDownload", true}});
    ASSERT_EQ(answer["result"], "success") << json::serialize(answer);
    const std::int64_t id = answer["arguments"].as_object()["torrent-added"].as_object()["id"].as_int64();
    EXPECT_EQ(get(id, {"sequentialDownload"})["sequentialDownload"], true);
    EXPECT_EQ(get(add(make_torrent("any-order.bin", 10'000, 13), true), {"sequentialDownload"})["sequentialDownload"],
              false);
    EXPECT_EQ(result_of(call("torrent-add", {{"metainfo", to_base64(make_torrent("bad.bin", 10'000, 14))},
                                             {"sequentialDownload", "yes"}})),
              "'sequentialDownload' is not a boolean");
    EXPECT_EQ(result_of(call("torrent-set", {{"ids", id}, {"sequentialDownload", false}})),
              "torrent-set: Shoal cannot change 'sequentialDownload'");
}

TEST_F(DaemonMethods, WhatTorrentSetCannotChangeIsRefused) {
    const std::int64_t id = add(make_torrent("fixed.bin", 10'000, 6), true);
    auto answer = call("torrent-set", {{"ids", id}, {"bandwidthPriority", 1}});
    EXPECT_NE(result_of(answer).find("'bandwidthPriority'"), std::string::npos) << result_of(answer);
    // What Shoal always has is taken back as it is.
    answer = call("torrent-set", {{"ids", id}, {"bandwidthPriority", 0},
                                  {"honorsSessionLimits", true}});
    EXPECT_EQ(answer["result"], "success") << json::serialize(answer);
}

// A torrent's own peer limit: set when added or later, shown as maxConnectedPeers (the
// session's per-torrent limit while it has none of its own), and kept in its record.
TEST_F(DaemonMethods, PeerLimitIsTakenShownAndChecked) {
    auto answer = call("torrent-add", {{"metainfo", to_base64(make_torrent("limited.bin", 10'000, 9))},
                                       {"paused", true},
                                       {"peer-limit", 12}});
    ASSERT_EQ(answer["result"], "success") << json::serialize(answer);
    const std::int64_t id = answer["arguments"].as_object()["torrent-added"].as_object()["id"].as_int64();
    EXPECT_EQ(get(id, {"maxConnectedPeers"})["maxConnectedPeers"], 12);
    EXPECT_EQ(controller_->find(TorrentId{static_cast<std::uint32_t>(id)})->peer_limit, 12);

    answer = call("torrent-set", {{"ids", id}, {"peer-limit", 3}});
    ASSERT_EQ(answer["result"], "success") << json::serialize(answer);
    EXPECT_EQ(get(id, {"maxConnectedPeers"})["maxConnectedPeers"], 3);

    EXPECT_EQ(result_of(call("torrent-set", {{"ids", id}, {"peer-limit", -1}})),
              "'peer-limit' is not a number from 0 to 65535");
    EXPECT_EQ(result_of(call("torrent-set", {{"ids", id}, {"peer-limit", "many"}})),
              "'peer-limit' is not a number from 0 to 65535");
    EXPECT_EQ(result_of(call("torrent-add", {{"filename", "magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567"},
                                             {"peer-limit", 70000}})),
              "'peer-limit' is not a number from 0 to 65535");
    EXPECT_EQ(get(id, {"maxConnectedPeers"})["maxConnectedPeers"], 3) << "a refused change changes nothing";

    // 0 goes back to the session's limit.
    answer = call("torrent-set", {{"ids", id}, {"peer-limit", 0}});
    ASSERT_EQ(answer["result"], "success");
    const auto session = call("session-get", {{"fields", json::array{"peer-limit-per-torrent"}}});
    EXPECT_EQ(get(id, {"maxConnectedPeers"})["maxConnectedPeers"],
              session.at("arguments").as_object().at("peer-limit-per-torrent"));
}

TEST_F(DaemonMethods, LabelsAreTakenKeptAndChecked) {
    auto answer = call("torrent-add", {{"metainfo", to_base64(make_torrent("labelled.bin", 10'000, 8))},
                                       {"paused", true},
                                       {"labels", json::array{"tv", "hd", "tv"}}});
    ASSERT_EQ(answer["result"], "success") << json::serialize(answer);
    const std::int64_t id = answer["arguments"].as_object()["torrent-added"].as_object()["id"].as_int64();
    EXPECT_EQ(get(id, {"labels"})["labels"], (json::array{"tv", "hd"}));

    answer = call("torrent-set", {{"ids", id}, {"labels", json::array{"movies", "4K"}}});
    ASSERT_EQ(answer["result"], "success") << json::serialize(answer);
    EXPECT_EQ(get(id, {"labels"})["labels"], (json::array{"movies", "4K"}));

    EXPECT_EQ(result_of(call("torrent-set", {{"ids", id}, {"labels", json::array{"a,b"}}})),
              "labelled.bin: the label \"a,b\" holds a comma");
    EXPECT_EQ(result_of(call("torrent-set", {{"ids", id}, {"labels", json::array{""}}})),
              "labelled.bin: a label is empty");
    EXPECT_EQ(result_of(call("torrent-set", {{"ids", id}, {"labels", "tv"}})), "'labels' is not a list");
    EXPECT_EQ(result_of(call("torrent-set", {{"ids", id}, {"labels", json::array{"\x01"}}})),
              "labelled.bin: a label is not plain UTF-8 text");
    json::array many;
    for (int i = 0; i <= 64; ++i) many.emplace_back("l" + std::to_string(i));
    EXPECT_EQ(result_of(call("torrent-set", {{"ids", id}, {"labels", many}})), "labelled.bin: more than 64 labels");
    EXPECT_EQ(get(id, {"labels"})["labels"], (json::array{"movies", "4K"})) << "a refused change changes nothing";
    EXPECT_NE(result_of(call("torrent-add", {{"filename", "magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567"},
                                             {"labels", json::array{std::string(300, 'x')}}})),
              "success");

    answer = call("torrent-set", {{"ids", id}, {"labels", json::array{}}});
    ASSERT_EQ(answer["result"], "success");
    EXPECT_EQ(get(id, {"labels"})["labels"], json::array{});
}

TEST_F(DaemonMethods, RenamePath) {
    const std::int64_t id = add(make_folder_torrent("rename", {10'000, 10'000}), true);
    auto answer = call("torrent-rename-path", {{"ids", json::array{id}}, {"path", "rename/f1.bin"}, {"name", "new.bin"}});
    ASSERT_EQ(answer["result"], "success") << json::serialize(answer);
    EXPECT_EQ(answer["arguments"].as_object()["name"], "new.bin");
    bool renamed = false;
    for (int i = 0; i < 200 && !renamed; ++i) {
        (void)controller_->poll();
        renamed = get(id, {"files"})["files"].as_array()[1].as_object()["name"] == "rename/new.bin";
        if (!renamed) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    EXPECT_TRUE(renamed);
    answer = call("torrent-rename-path", {{"ids", json::array{id}}, {"path", "rename"}, {"name", "other"}});
    EXPECT_NE(result_of(answer).find("files only"), std::string::npos) << result_of(answer);
    answer = call("torrent-rename-path", {{"ids", json::array{id}}, {"path", "rename/f0.bin"}, {"name", "../up"}});
    EXPECT_NE(answer["result"], "success");
}

TEST_F(DaemonMethods, SessionSet) {
    auto answer = call("session-set", {{"speed-limit-down", 300},
                                       {"speed-limit-down-enabled", true},
                                       {"alt-speed-up", 20},
                                       {"alt-speed-enabled", true},
                                       {"peer-limit-per-torrent", 30},
                                       {"seedRatioLimited", false},
                                       {"download-dir", (dir_.path() / "elsewhere").string()}});
    ASSERT_EQ(answer["result"], "success") << json::serialize(answer);
    auto a = call("session-get")["arguments"].as_object();
    EXPECT_EQ(a["speed-limit-down"], 300);
    EXPECT_EQ(a["speed-limit-down-enabled"], true);
    EXPECT_EQ(a["alt-speed-up"], 20);
    EXPECT_EQ(a["alt-speed-enabled"], true);
    EXPECT_EQ(a["peer-limit-per-torrent"], 30);
    EXPECT_EQ(a["seedRatioLimited"], false);
    EXPECT_EQ(methods_->runtime().upload_limit(), 20'000);
    EXPECT_EQ(methods_->runtime().download_limit(), 50'000);
    // Torrents added later go to the new folder.
    const std::int64_t id = add(make_torrent("where.bin", 1'000, 7), true);
    EXPECT_EQ(get(id, {"downloadDir"})["downloadDir"], json::value((dir_.path() / "elsewhere").string()));

    // A whole form sent back is taken; a change Shoal cannot make is named, and nothing changes.
    a["speed-limit-up"] = 5;
    EXPECT_EQ(call("session-set", a)["result"], "success");
    answer = call("session-set", {{"dht-enabled", true}, {"speed-limit-up", 9}});
    EXPECT_NE(result_of(answer).find("dht-enabled"), std::string::npos) << result_of(answer);
    EXPECT_EQ(call("session-get")["arguments"].as_object()["speed-limit-up"], 5);
    EXPECT_NE(call("session-set", {{"speed-limit-up", "fast"}})["result"], "success");
    EXPECT_NE(call("session-set", {{"peer-limit-global", 0}})["result"], "success");
    EXPECT_NE(call("session-set", {{"download-dir", "relative"}})["result"], "success");
}

TEST_F(DaemonMethods, TorrentSeedLimits) {
    const std::int64_t id = add(make_torrent("limits.bin", 10'000, 11), true);
    const json::array fields{"seedRatioMode", "seedRatioLimit", "seedIdleMode", "seedIdleLimit"};
    auto t = get(id, fields);
    EXPECT_EQ(t["seedRatioMode"], 0);  // the session's limits until told otherwise
    EXPECT_EQ(t["seedIdleMode"], 0);

    auto answer = call("torrent-set", {{"ids", id}, {"seedRatioMode", 1}, {"seedRatioLimit", 0.5},
                                       {"seedIdleMode", 2}, {"seedIdleLimit", 15}});
    ASSERT_EQ(answer["result"], "success") << json::serialize(answer);
    t = get(id, fields);
    EXPECT_EQ(t["seedRatioMode"], 1);
    EXPECT_EQ(t["seedRatioLimit"], 0.5);
    EXPECT_EQ(t["seedIdleMode"], 2);
    EXPECT_EQ(t["seedIdleLimit"], 15);
    // One field alone changes only itself.
    ASSERT_EQ(call("torrent-set", {{"ids", id}, {"seedIdleMode", 1}})["result"], "success");
    t = get(id, fields);
    EXPECT_EQ(t["seedIdleMode"], 1);
    EXPECT_EQ(t["seedIdleLimit"], 15);
    EXPECT_EQ(t["seedRatioLimit"], 0.5);

    for (auto [key, bad] : {std::pair{"seedRatioMode", json::value(3)}, std::pair{"seedIdleMode", json::value(-1)},
                            std::pair{"seedRatioLimit", json::value(-0.5)}, std::pair{"seedIdleLimit", json::value("x")},
                            std::pair{"seedIdleLimit", json::value(std::int64_t{1} << 40)}}) {
        answer = call("torrent-set", {{"ids", id}, {key, bad}});
        EXPECT_NE(result_of(answer).find(key), std::string::npos) << result_of(answer);
    }
    EXPECT_EQ(get(id, fields)["seedIdleLimit"], 15);

    // Kept in the torrent's record: a controller started again over the state folder has them.
    restart_controller();
    t = get(controller_->summaries().at(0).id.value, fields);
    EXPECT_EQ(t["seedRatioMode"], 1);
    EXPECT_EQ(t["seedRatioLimit"], 0.5);
    EXPECT_EQ(t["seedIdleMode"], 1);
    EXPECT_EQ(t["seedIdleLimit"], 15);
}

TEST_F(DaemonMethods, SessionSeedLimits) {
    auto a = call("session-get")["arguments"].as_object();
    EXPECT_EQ(a["seedRatioLimit"], 2.0);
    EXPECT_EQ(a["seedRatioLimited"], true);
    EXPECT_EQ(a["idle-seeding-limit-enabled"], false);
    auto answer = call("session-set", {{"idle-seeding-limit", 25}, {"idle-seeding-limit-enabled", true},
                                       {"seedRatioLimited", false}});
    ASSERT_EQ(answer["result"], "success") << json::serialize(answer);
    a = call("session-get")["arguments"].as_object();
    EXPECT_EQ(a["idle-seeding-limit"], 25);
    EXPECT_EQ(a["idle-seeding-limit-enabled"], true);
    EXPECT_EQ(a["seedRatioLimited"], false);
    const auto limits = methods_->runtime().seed_limits({});
    EXPECT_EQ(limits.idle, std::chrono::minutes(25));
    EXPECT_EQ(limits.ratio, 0.0);
    EXPECT_NE(result_of(call("session-set", {{"idle-seeding-limit", 0}})).find("idle-seeding-limit"), std::string::npos);
    EXPECT_NE(call("session-set", {{"seedRatioLimit", -1}})["result"], "success");
}

// The schedule switches the alternative speeds at its edges; a change by hand holds until the
// next edge, and a schedule sent back unchanged does not undo it.
TEST_F(DaemonMethods, AltSpeedSchedule) {
    const int monday = 1;
    auto answer = call("session-set", {{"alt-speed-time-enabled", true}, {"alt-speed-time-begin", 22 * 60},
                                       {"alt-speed-time-end", 6 * 60}, {"alt-speed-time-day", 127},
                                       {"alt-speed-up", 10}});
    ASSERT_EQ(answer["result"], "success") << json::serialize(answer);
    auto alt = [&] { return call("session-get")["arguments"].as_object()["alt-speed-enabled"]; };
    methods_->follow_schedule({monday, 12 * 60});
    EXPECT_EQ(alt(), false);
    methods_->follow_schedule({monday, 22 * 60});
    EXPECT_EQ(alt(), true);
    EXPECT_EQ(methods_->runtime().upload_limit(), 10'000);
    // Off by hand at night: it stays off while the schedule is on...
    ASSERT_EQ(call("session-set", {{"alt-speed-enabled", false}})["result"], "success");
    methods_->follow_schedule({monday, 23 * 60});
    EXPECT_EQ(alt(), false);
    auto form = call("session-get")["arguments"].as_object();
    ASSERT_EQ(call("session-set", {{"alt-speed-time-enabled", form["alt-speed-time-enabled"]},
                                   {"alt-speed-time-begin", form["alt-speed-time-begin"]}})["result"],
              "success");
    methods_->follow_schedule({monday + 1, 2 * 60});
    EXPECT_EQ(alt(), false);
    // ...and the next edge (the morning) and the one after take over again.
    methods_->follow_schedule({monday + 1, 6 * 60});
    EXPECT_EQ(alt(), false);
    ASSERT_EQ(call("session-set", {{"alt-speed-enabled", true}})["result"], "success");
    methods_->follow_schedule({monday + 1, 7 * 60});
    EXPECT_EQ(alt(), true);  // on by hand in the day, held
    methods_->follow_schedule({monday + 1, 22 * 60});
    EXPECT_EQ(alt(), true);
    methods_->follow_schedule({monday + 2, 6 * 60});
    EXPECT_EQ(alt(), false);
    // A schedule turned off leaves the speeds as they are.
    ASSERT_EQ(call("session-set", {{"alt-speed-time-enabled", false}})["result"], "success");
    methods_->follow_schedule({monday + 2, 23 * 60});
    EXPECT_EQ(alt(), false);
    EXPECT_NE(call("session-set", {{"alt-speed-time-begin", 1440}})["result"], "success");
    EXPECT_NE(call("session-set", {{"alt-speed-time-day", 128}})["result"], "success");
}

// What session-set changes is kept in the state folder and read again at start.
TEST_F(DaemonMethods, SessionSetSurvivesARestart) {
    auto answer = call("session-set", {{"speed-limit-down", 321}, {"speed-limit-down-enabled", true},
                                       {"alt-speed-time-enabled", true}, {"alt-speed-time-day", 62},
                                       {"idle-seeding-limit", 40}, {"peer-limit-per-torrent", 33}});
    ASSERT_EQ(answer["result"], "success") << json::serialize(answer);
    EXPECT_TRUE(std::filesystem::exists(dir_.path() / "state" / "settings.json"));
    restart_methods();
    auto a = call("session-get")["arguments"].as_object();
    EXPECT_EQ(a["speed-limit-down"], 321);
    EXPECT_EQ(a["speed-limit-down-enabled"], true);
    EXPECT_EQ(a["alt-speed-time-enabled"], true);
    EXPECT_EQ(a["alt-speed-time-day"], 62);
    EXPECT_EQ(a["idle-seeding-limit"], 40);
    EXPECT_EQ(a["peer-limit-per-torrent"], 33);
    EXPECT_EQ(methods_->runtime().download_limit(), 321'000);
    // A config file that says otherwise at the next start wins over the kept change.
    facts_.settings.download_limit = 70'000;
    restart_methods();
    a = call("session-get")["arguments"].as_object();
    EXPECT_EQ(a["speed-limit-down"], 70);
    EXPECT_EQ(a["idle-seeding-limit"], 40);
}

TEST_F(DaemonMethods, RecentlyActive) {
    const std::int64_t id = add(make_torrent("quiet.bin", 1'000, 8), true);
    ASSERT_TRUE(wait_for_status(id, 0));
    auto ids = [&] {
        auto answer = call("torrent-get", {{"ids", "recently-active"}, {"fields", json::array{"id"}}});
        return answer["arguments"].as_object()["torrents"].as_array().size();
    };
    EXPECT_EQ(ids(), 1u);
    skew_ = std::chrono::minutes(2);  // a paused torrent does nothing for two minutes
    EXPECT_EQ(ids(), 0u);
    ASSERT_EQ(call("torrent-start", {{"ids", id}})["result"], "success");
    ASSERT_TRUE(wait_for_status(id, 6));
    EXPECT_EQ(ids(), 1u);  // its state changed

    // Every client polling within a minute hears of a removal, none after.
    auto removed = [&] {
        auto answer = call("torrent-get", {{"ids", "recently-active"}, {"fields", json::array{"id"}}});
        return answer["arguments"].as_object()["removed"];
    };
    ASSERT_EQ(call("torrent-remove", {{"ids", id}})["result"], "success");
    EXPECT_EQ(removed(), (json::array{id}));
    EXPECT_EQ(removed(), (json::array{id}));
    skew_ += std::chrono::minutes(2);
    EXPECT_EQ(removed(), json::array{});
}

TEST_F(DaemonMethods, WhatTheSessionCannotDoIsSaid) {
    EXPECT_NE(result_of(call("port-test")).find("cannot test"), std::string::npos);
    EXPECT_NE(result_of(call("blocklist-update")).find("no blocklist"), std::string::npos);

    auto answer = call("free-space", {{"path", dir_.path().string()}});
    ASSERT_EQ(answer["result"], "success");
    EXPECT_GT(answer["arguments"].as_object()["size-bytes"].as_int64(), 0);
    EXPECT_GE(answer["arguments"].as_object()["total_size"].as_int64(),
              answer["arguments"].as_object()["size-bytes"].as_int64());
    EXPECT_NE(call("free-space", {{"path", "relative"}})["result"], "success");
    EXPECT_NE(call("free-space", {{"path", (dir_.path() / "no" / "such").string()}})["result"], "success");
}

TEST_F(DaemonMethods, SessionCloseIsAnsweredThenCalled) {
    int closed = 0;
    methods_->on_close([&] { ++closed; });
    EXPECT_EQ(call("session-get")["result"], "success");
    EXPECT_EQ(closed, 0);
    EXPECT_EQ(call("session-close")["result"], "success");
    EXPECT_EQ(closed, 1);
}

}  // namespace
}  // namespace shoal::daemon
