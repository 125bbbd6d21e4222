// shoald's RPC and the limits of what it takes and keeps: a torrent's trackers (at most
// control's k_max_trackers, a request over it refused at once), trackerAdd's argument types,
// and rate limits set in bytes per second that keep their bytes while the RPC speaks kB/s.
#include <gtest/gtest.h>

#include "daemon_methods_fixture.hpp"
#include "metainfo/torrent_info.hpp"

namespace shoal::daemon {
namespace {

std::string result_of(const json::object& answer) { return std::string(answer.at("result").as_string()); }

// `count` distinct tracker URLs, one a line, a blank line after every tenth (a new tier).
std::string tracker_lines(std::size_t count) {
    std::string text;
    for (std::size_t i = 0; i < count; ++i) {
        text += "http://t" + std::to_string(i) + ".example/announce\n";
        if (i % 10 == 9) text += "\n";
    }
    return text;
}

TEST_F(DaemonMethods, ATrackerListOverTheLimitIsRefused) {
    const std::int64_t id = add(make_torrent("many.bin", 10'000, 21), true);
    auto answer = call("torrent-set", {{"ids", id}, {"trackerList", tracker_lines(k_max_trackers)}});
    ASSERT_EQ(answer["result"], "success") << json::serialize(answer);
    auto t = get(id, {"trackers"});
    ASSERT_EQ(t["trackers"].as_array().size(), 200u);
    EXPECT_EQ(t["trackers"].as_array()[199].as_object()["tier"], 19);

    EXPECT_EQ(result_of(call("torrent-set", {{"ids", id}, {"trackerList", tracker_lines(201)}})),
              "many.bin: a torrent has at most 200 trackers, not 201");
    EXPECT_EQ(get(id, {"trackers"})["trackers"].as_array().size(), 200u) << "a refused list changes nothing";

    // What a 10 MiB body can carry is refused at once: compared pair by pair, its 300,000 URLs
    // would take minutes, past the unit tests' time limit.
    EXPECT_EQ(result_of(call("torrent-set", {{"ids", id}, {"trackerList", tracker_lines(300'000)}})),
              "many.bin: a torrent has at most 200 trackers, not 300000");

    // One more added or a URL too long is refused, each with why.
    EXPECT_EQ(result_of(call("torrent-set", {{"ids", id}, {"trackerAdd", json::array{"http://one-more.example/a"}}})),
              "many.bin: a torrent has at most 200 trackers");
    const std::string too_long = "http://long.example/" + std::string(k_max_tracker_url_bytes, 'a');
    EXPECT_EQ(result_of(call("torrent-set", {{"ids", id}, {"trackerReplace", json::array{0, too_long}}})),
              "many.bin: a tracker URL is longer than 4096 bytes");
    EXPECT_EQ(get(id, {"trackers"})["trackers"].as_array()[0].as_object()["announce"], "http://t0.example/announce");
}

TEST_F(DaemonMethods, TrackerAddRefusesWhatIsNotAListOfUrls) {
    const std::int64_t id = add(make_torrent("typed.bin", 10'000, 22), true);
    EXPECT_EQ(result_of(call("torrent-set",
                             {{"ids", id}, {"trackerAdd", json::array{"http://a.example/announce", 5}}})),
              "'trackerAdd' holds something that is not a string");
    EXPECT_EQ(result_of(call("torrent-set", {{"ids", id}, {"trackerAdd", "http://a.example/announce"}})),
              "'trackerAdd' is not a list of URLs");
    EXPECT_TRUE(get(id, {"trackers"})["trackers"].as_array().empty()) << "nothing of a refused request is added";

    // More than fit: refused before any is added.
    json::array many;
    for (int i = 0; i < 201; ++i) many.emplace_back("http://t" + std::to_string(i) + ".example/announce");
    EXPECT_EQ(result_of(call("torrent-set", {{"ids", id}, {"trackerAdd", many}})),
              "typed.bin: a torrent has at most 200 trackers");
    EXPECT_TRUE(get(id, {"trackers"})["trackers"].as_array().empty());
    // One bad URL among good ones: none is added.
    EXPECT_NE(result_of(call("torrent-set", {{"ids", id},
                                             {"trackerAdd", json::array{"http://a.example/announce", "not a url"}}})),
              "success");
    EXPECT_TRUE(get(id, {"trackers"})["trackers"].as_array().empty());
    many.pop_back();
    ASSERT_EQ(call("torrent-set", {{"ids", id}, {"trackerAdd", many}})["result"], "success");
    EXPECT_EQ(get(id, {"trackers"})["trackers"].as_array().size(), 200u);
}

// A limit the config file gives in bytes per second (up_limit = "1M" is 1,048,576) runs as it
// is, through session-set's changes and a restart; session-get says it in whole kB/s, rounded
// down, and a limit under 1 kB/s as 1.
TEST_F(DaemonMethods, AByteLimitFromTheConfigKeepsItsBytes) {
    facts_.settings.upload_limit = 1'048'576;
    facts_.settings.download_limit = 500;
    facts_.alt_speed_up = 20 * 1024;
    restart_methods();
    auto a = call("session-get")["arguments"].as_object();
    EXPECT_EQ(a["speed-limit-up"], 1048);
    EXPECT_EQ(a["speed-limit-down"], 1);
    EXPECT_EQ(a["alt-speed-up"], 20);
    EXPECT_EQ(a["units"].as_object()["speed-bytes"], 1000);

    // Another setting changed: the limits run as they were.
    ASSERT_EQ(call("session-set", {{"peer-limit-global", 40}})["result"], "success");
    EXPECT_EQ(methods_->runtime().upload_limit(), 1'048'576);
    EXPECT_EQ(methods_->runtime().download_limit(), 500);
    // The whole form sent back, as clients do: what was shown changes nothing.
    a = call("session-get")["arguments"].as_object();
    ASSERT_EQ(call("session-set", a)["result"], "success");
    EXPECT_EQ(methods_->runtime().upload_limit(), 1'048'576);
    EXPECT_EQ(methods_->runtime().download_limit(), 500);
    ASSERT_EQ(call("session-set", {{"alt-speed-enabled", true}})["result"], "success");
    EXPECT_EQ(methods_->runtime().upload_limit(), 20'480);

    // Started again with the changes kept: still to the byte.
    restart_methods();
    EXPECT_EQ(methods_->runtime().upload_limit(), 20'480);
    ASSERT_EQ(call("session-set", {{"alt-speed-enabled", false}})["result"], "success");
    EXPECT_EQ(methods_->runtime().upload_limit(), 1'048'576);
    EXPECT_EQ(methods_->runtime().download_limit(), 500);

    // A new value in kB/s is that many thousand bytes, kept as such.
    ASSERT_EQ(call("session-set", {{"speed-limit-up", 300}})["result"], "success");
    restart_methods();
    EXPECT_EQ(methods_->runtime().upload_limit(), 300'000);
    EXPECT_EQ(call("session-get")["arguments"].as_object()["speed-limit-up"], 300);
    EXPECT_EQ(methods_->runtime().download_limit(), 500);
}

// A torrent's own limits set in bytes per second (the control layer, as the desktop client and
// shoal-cli set them) are said in kB/s and stay to the byte, in its record too.
TEST_F(DaemonMethods, TorrentLimitsKeepTheirBytes) {
    const std::int64_t id = add(make_torrent("bytes.bin", 10'000, 23), true);
    const TorrentId torrent{static_cast<std::uint32_t>(id)};
    ASSERT_TRUE(controller_->set_torrent_limits(torrent, 1'500, 500));
    const json::array fields{"uploadLimit", "uploadLimited", "downloadLimit", "downloadLimited"};
    auto t = get(id, fields);
    EXPECT_EQ(t["uploadLimit"], 1);
    EXPECT_EQ(t["downloadLimit"], 1);
    EXPECT_EQ(t["uploadLimited"], true);
    EXPECT_EQ(t["downloadLimited"], true);

    // Sent back as shown: nothing changes.
    ASSERT_EQ(call("torrent-set", {{"ids", id}, {"uploadLimit", 1}, {"uploadLimited", true}, {"downloadLimit", 1},
                                   {"downloadLimited", true}})["result"],
              "success");
    EXPECT_EQ(controller_->find(torrent)->upload_limit, 1'500);
    EXPECT_EQ(controller_->find(torrent)->download_limit, 500);
    ASSERT_EQ(call("torrent-set", {{"ids", id}, {"uploadLimit", 7}})["result"], "success");
    EXPECT_EQ(controller_->find(torrent)->upload_limit, 7'000);

    // Kept in the torrent's record to the byte.
    restart_controller();
    const control::TorrentSummary restored = controller_->summaries().at(0);
    EXPECT_EQ(restored.upload_limit, 7'000);
    EXPECT_EQ(restored.download_limit, 500);
    EXPECT_EQ(get(restored.id.value, fields)["downloadLimit"], 1);
}

}  // namespace
}  // namespace shoal::daemon
