// torrent-add of an http or https URL: the answer waits for the fetch, and carries what the
// URL gave (a torrent file, or a magnet link it redirected to) or why it gave nothing.
#include "daemon_methods_fixture.hpp"

namespace shoal::daemon {
namespace {

class DaemonAddUrl : public DaemonMethods {
protected:
    DaemonAddUrl() {
        methods_->set_torrent_fetch(fake_fetch());
    }

    TorrentFetch fake_fetch() {
        return [this](const std::string& url, const std::string& cookies,
                      std::function<void(Result<FetchedTorrent>)> done) {
            urls_.push_back(url);
            cookies_.push_back(cookies);
            pending_ = std::move(done);
        };
    }

    // Sends a request; its answer is kept in answer_ when it comes.
    void send(const json::object& args) {
        answer_.reset();
        methods_->handle(json::serialize(json::object{{"method", "torrent-add"}, {"arguments", args}, {"tag", 9}}),
                         [this](std::string text) { answer_ = json::parse(text).as_object(); });
    }

    std::vector<std::string> urls_;
    std::vector<std::string> cookies_;
    std::function<void(Result<FetchedTorrent>)> pending_;
    std::optional<json::object> answer_;
};

TEST_F(DaemonAddUrl, TheAnswerWaitsForTheFetchAndAddsWhatItGave) {
    const std::string metainfo = make_torrent("fetched.bin", 40'000, 3);
    send({{"filename", "HTTPS://indexer.example/get?id=5"}, {"cookies", "uid=1; pass=x"}, {"paused", true}});
    ASSERT_EQ(urls_, std::vector<std::string>{"HTTPS://indexer.example/get?id=5"});
    EXPECT_EQ(cookies_[0], "uid=1; pass=x");
    EXPECT_FALSE(answer_) << "answered before the fetch ended";
    pending_(FetchedTorrent{metainfo, {}});
    ASSERT_TRUE(answer_);
    EXPECT_EQ((*answer_)["result"], "success") << json::serialize(*answer_);
    EXPECT_EQ((*answer_)["tag"], 9);
    const auto& added = (*answer_)["arguments"].as_object()["torrent-added"].as_object();
    EXPECT_EQ(added.at("name"), "fetched.bin");

    // The same torrent from another URL is a duplicate.
    send({{"filename", "http://mirror.example/fetched.torrent"}});
    pending_(FetchedTorrent{metainfo, {}});
    ASSERT_TRUE(answer_);
    EXPECT_TRUE((*answer_)["arguments"].as_object().contains("torrent-duplicate")) << json::serialize(*answer_);
}

TEST_F(DaemonAddUrl, AMagnetLinkTheUrlRedirectedToIsAdded) {
    send({{"filename", "http://indexer.example/magnet/7"}, {"paused", true}});
    pending_(FetchedTorrent{{}, "magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567&dn=seven"});
    ASSERT_TRUE(answer_);
    EXPECT_EQ((*answer_)["result"], "success") << json::serialize(*answer_);
    const auto& added = (*answer_)["arguments"].as_object()["torrent-added"].as_object();
    EXPECT_EQ(added.at("hashString"), "0123456789abcdef0123456789abcdef01234567");
}

TEST_F(DaemonAddUrl, AFailedFetchIsTheResultAndAddsNothing) {
    send({{"filename", "http://indexer.example/gone"}});
    pending_(make_error(ErrorCode::refused, "torrent-add: http://indexer.example/gone replied HTTP 404 Not Found"));
    ASSERT_TRUE(answer_);
    EXPECT_EQ((*answer_)["result"], "torrent-add: http://indexer.example/gone replied HTTP 404 Not Found");
    EXPECT_EQ((*answer_)["tag"], 9);
    EXPECT_TRUE(call("torrent-get", {{"fields", json::array{"id"}}})["arguments"].as_object()["torrents"]
                    .as_array()
                    .empty());

    // What came was not a torrent file.
    send({{"filename", "http://indexer.example/login"}});
    pending_(FetchedTorrent{"<html>please log in</html>", {}});
    ASSERT_TRUE(answer_);
    EXPECT_NE((*answer_)["result"], "success");

    send({{"filename", "http://indexer.example/x"}, {"cookies", 5}});
    ASSERT_TRUE(answer_) << "a bad argument is answered without fetching";
    EXPECT_EQ((*answer_)["result"], "'cookies' is not a string");
    EXPECT_EQ(urls_.size(), 2u);
}

// A request that would be refused once the file is in is refused before anything is fetched.
TEST_F(DaemonAddUrl, BadArgumentsAreRefusedBeforeTheFetch) {
    const std::vector<std::pair<json::object, std::string>> bad = {
        {{{"download-dir", "relative/dir"}}, "download directory path is not absolute"},
        {{{"paused", "yes please"}}, "'paused' is not a boolean"},
        {{{"labels", json::array{"a,b"}}}, ""},
        {{{"peer-limit", -5}}, "'peer-limit' is not a number from 0 to 65535"},
        {{{"bandwidthPriority", 1}}, "torrent-add: Shoal has no bandwidth priorities"},
    };
    for (const auto& [extra, result] : bad) {
        json::object args = extra;
        args["filename"] = "http://indexer.example/t";
        send(args);
        ASSERT_TRUE(answer_) << json::serialize(args) << " was not answered at once";
        EXPECT_NE((*answer_)["result"], "success");
        if (!result.empty()) {
            EXPECT_EQ((*answer_)["result"].as_string(), result);
        }
    }
    EXPECT_TRUE(urls_.empty()) << "fetched " << urls_.front();
}

TEST_F(DaemonAddUrl, AFetchEndingAfterTheMethodsAreGoneAnswersNothing) {
    send({{"filename", "http://indexer.example/slow"}});
    auto done = std::move(pending_);
    restart_methods();
    done(FetchedTorrent{make_torrent("late.bin", 1000, 4), {}});
    EXPECT_FALSE(answer_);
}

TEST_F(DaemonAddUrl, WithoutAFetchUrlsAreRefused) {
    restart_methods();
    auto answer = call("torrent-add", {{"filename", "https://indexer.example/a.torrent"}});
    EXPECT_EQ(answer["result"], "torrent-add: this server does not fetch torrent files by URL");
}

}  // namespace
}  // namespace shoal::daemon
