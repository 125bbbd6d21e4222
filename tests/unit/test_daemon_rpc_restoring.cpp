// shoald's RPC while the saved torrents come back at start-up: what only reads is answered at
// once, what changes something waits for the end (in order), and no more waits than a bound.
#include "daemon_methods_fixture.hpp"

namespace shoal::daemon {
namespace {

TEST_F(DaemonMethods, WhileRestoringReadsAreAnsweredAndChangesWait) {
    const std::int64_t id = add(make_torrent("early.bin", 10'000, 31), true);
    methods_->set_restoring(true);
    EXPECT_EQ(call("session-get")["result"], "success");
    EXPECT_EQ(call("session-stats")["result"], "success");
    EXPECT_EQ(get(id, {"name"})["name"], "early.bin");

    // Two changes, answered once the torrents are back, in the order they came.
    std::vector<std::string> answers;
    const auto request = [&](const std::string& method, json::object args) {
        methods_->handle(json::serialize(json::object{{"method", method}, {"arguments", std::move(args)}}),
                         [&answers](std::string answer) { answers.push_back(std::move(answer)); });
    };
    request("torrent-set", {{"ids", id}, {"labels", json::array{"first"}}});
    request("torrent-set", {{"ids", id}, {"labels", json::array{"second"}}});
    EXPECT_TRUE(answers.empty());
    EXPECT_EQ(get(id, {"labels"})["labels"].as_array().size(), 0u) << "nothing changed yet";
    methods_->set_restoring(false);
    ASSERT_EQ(answers.size(), 2u);
    for (const auto& a : answers) EXPECT_EQ(json::parse(a).as_object().at("result"), "success") << a;
    EXPECT_EQ(get(id, {"labels"})["labels"].as_array(), (json::array{"second"}));
}

TEST_F(DaemonMethods, WhileRestoringTooManyWaitingChangesAreRefused) {
    methods_->set_restoring(true);
    std::size_t answered = 0;
    std::string refusal;
    for (int i = 0; i < 300; ++i) {
        methods_->handle(R"({"method": "torrent-start", "arguments": {}})", [&](std::string answer) {
            ++answered;
            refusal = std::move(answer);
        });
    }
    EXPECT_EQ(answered, 300u - 256u) << "a bounded number wait, the rest are refused at once";
    EXPECT_NE(refusal.find("still restoring its torrents"), std::string::npos) << refusal;
    methods_->set_restoring(false);
    EXPECT_EQ(answered, 300u);
}

}  // namespace
}  // namespace shoal::daemon
