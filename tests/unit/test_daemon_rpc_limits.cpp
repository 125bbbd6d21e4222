// shoald's RPC and the limits of what it takes and keeps: a torrent's trackers (at most
// control's k_max_trackers, a request over it refused at once) and trackerAdd's argument types.
#include <gtest/gtest.h>

#include "daemon_methods_fixture.hpp"
#include "metainfo/torrent_info.hpp"

namespace shoal::daemon {
namespace {

using namespace std::chrono_literals;

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
    const auto start = std::chrono::steady_clock::now();
    auto answer = call("torrent-set", {{"ids", id}, {"trackerList", tracker_lines(k_max_trackers)}});
    ASSERT_EQ(answer["result"], "success") << json::serialize(answer);
    auto t = get(id, {"trackers"});
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
    ASSERT_EQ(t["trackers"].as_array().size(), 200u);
    EXPECT_EQ(t["trackers"].as_array()[199].as_object()["tier"], 19);

    EXPECT_EQ(result_of(call("torrent-set", {{"ids", id}, {"trackerList", tracker_lines(201)}})),
              "many.bin: a torrent has at most 200 trackers, not 201");
    EXPECT_EQ(get(id, {"trackers"})["trackers"].as_array().size(), 200u) << "a refused list changes nothing";

    // What a 10 MiB body can carry is refused at once, not compared pair by pair.
    const auto huge_start = std::chrono::steady_clock::now();
    EXPECT_EQ(result_of(call("torrent-set", {{"ids", id}, {"trackerList", tracker_lines(300'000)}})),
              "many.bin: a torrent has at most 200 trackers, not 300000");
    EXPECT_LT(std::chrono::steady_clock::now() - huge_start, 2s);

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

}  // namespace
}  // namespace shoal::daemon
