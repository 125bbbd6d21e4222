#include <gtest/gtest.h>

#include <deque>

#include "bencode/decode.hpp"
#include "test_util.hpp"
#include "tracker/address.hpp"
#include "tracker/http_router.hpp"

namespace shoal::tracker {
namespace {

using test::percent_encode;

class HttpRouterTest : public ::testing::Test {
  protected:
    HttpRouterTest() { config.interval_jitter = 0; }

    HttpReply get(const std::string& target, const char* ip = "10.0.0.5") {
        HttpRequestView v;
        v.target = target;
        v.peer = *parse_ip(ip);
        return router.handle(v);
    }
    // Decoded values view their buffer, so the bodies are kept here.
    bencode::Value decode(const std::string& target, const char* ip = "10.0.0.5") {
        bodies.push_back(get(target, ip).body);
        auto v = bencode::decode(bodies.back());
        EXPECT_TRUE(v) << bodies.back();
        return v ? *v : bencode::Value{};
    }
    static std::string announce_target(int torrent, const std::string& peer, int port,
                                       const std::string& extra = "") {
        return "/announce?info_hash=" + percent_encode(test::hash_of(torrent).view()) +
               "&peer_id=" + peer + "&port=" + std::to_string(port) + extra;
    }

    Config config;
    SwarmStore store{StoreOptions{4, 2400, 1}};
    SharedSnapshot<AccessPolicy> access{std::make_shared<const AccessPolicy>()};
    Metrics metrics;
    AnnounceService service{config, store, access, metrics, 42};
    std::uint32_t now = 500;
    std::deque<std::string> bodies;
    HttpRouter router{service, {}, [this] { return now; }};
};

TEST_F(HttpRouterTest, CompactAnnounceListsOtherPeers) {
    get(announce_target(1, "AAAAAAAAAAAAAAAAAAAA", 1111, "&left=0"), "10.0.0.1");
    auto reply = get(announce_target(1, "BBBBBBBBBBBBBBBBBBBB", 2222, "&left=5"), "10.0.0.2");
    ASSERT_EQ(reply.status, 200u);
    auto v = bencode::decode(reply.body);
    ASSERT_TRUE(v) << reply.body;
    EXPECT_EQ(v->find_int("complete")->as_int(), 1);
    EXPECT_EQ(v->find_int("incomplete")->as_int(), 1);
    EXPECT_EQ(v->find_int("interval")->as_int(), 1800);
    EXPECT_EQ(v->find_int("min interval")->as_int(), 900);
    const auto peers = v->find_string("peers")->as_string();
    ASSERT_EQ(peers.size(), 6u);
    EXPECT_EQ(static_cast<unsigned char>(peers[3]), 1);
    EXPECT_EQ((static_cast<unsigned char>(peers[4]) << 8) | static_cast<unsigned char>(peers[5]),
              1111);
    EXPECT_EQ(metrics.announces(Protocol::http), 2u);
}

TEST_F(HttpRouterTest, DictionaryFormAndPeers6) {
    get(announce_target(1, "AAAAAAAAAAAAAAAAAAAA", 1111, "&left=0"), "2001:db8::7");
    auto reply = get(announce_target(1, "BBBBBBBBBBBBBBBBBBBB", 2222, "&compact=0"), "10.0.0.2");
    auto v = bencode::decode(reply.body);
    ASSERT_TRUE(v) << reply.body;
    const auto* list = v->find_list("peers");
    ASSERT_NE(list, nullptr);
    ASSERT_EQ(list->as_list().size(), 1u);
    const auto& peer = list->as_list()[0];
    EXPECT_EQ(peer.find_string("ip")->as_string(), "2001:db8::7");
    EXPECT_EQ(peer.find_int("port")->as_int(), 1111);
    // Neither store keeps peer ids, so there is none to send.
    EXPECT_EQ(peer.find("peer id"), nullptr);

    auto compact = get(announce_target(1, "CCCCCCCCCCCCCCCCCCCC", 3333), "10.0.0.3");
    auto c = bencode::decode(compact.body);
    ASSERT_TRUE(c);
    EXPECT_EQ(c->find_string("peers6")->as_string().size(), 18u);
}

TEST_F(HttpRouterTest, RefusalsCarryFailureReason) {
    auto reply = get("/announce?info_hash=short&peer_id=AAAAAAAAAAAAAAAAAAAA&port=1");
    auto v = bencode::decode(reply.body);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->find_string("failure reason")->as_string(), "info_hash must be 20 bytes, got 5");
    EXPECT_EQ(metrics.errors(ErrorKind::bad_request), 1u);
    auto scrape = decode("/scrape");

    EXPECT_NE(scrape.find_string("failure reason"), nullptr);
    EXPECT_EQ(get("/nothing").status, 404u);
}

TEST_F(HttpRouterTest, ScrapeOneOrMany) {
    get(announce_target(1, "AAAAAAAAAAAAAAAAAAAA", 1111, "&left=0&event=completed"));
    get(announce_target(2, "BBBBBBBBBBBBBBBBBBBB", 2222, "&left=9"));
    auto reply = get("/scrape?info_hash=" + percent_encode(test::hash_of(1).view()) +
                     "&info_hash=" + percent_encode(test::hash_of(2).view()) +
                     "&info_hash=" + percent_encode(test::hash_of(3).view()));
    auto v = bencode::decode(reply.body);
    ASSERT_TRUE(v) << reply.body;
    const auto* files = v->find_dict("files");
    ASSERT_NE(files, nullptr);
    ASSERT_EQ(files->as_dict().size(), 3u);
    const auto* one = files->find_dict(test::hash_of(1).view());
    ASSERT_NE(one, nullptr);
    EXPECT_EQ(one->find_int("complete")->as_int(), 1);
    EXPECT_EQ(one->find_int("downloaded")->as_int(), 1);
    const auto* two = files->find_dict(test::hash_of(2).view());
    EXPECT_EQ(two->find_int("incomplete")->as_int(), 1);
    EXPECT_EQ(files->find_dict(test::hash_of(3).view())->find_int("complete")->as_int(), 0);
}

TEST_F(HttpRouterTest, FullScrapeOnlyWhenConfigured) {
    get(announce_target(1, "AAAAAAAAAAAAAAAAAAAA", 1111));
    EXPECT_NE(get("/scrape").body.find("failure reason"), std::string::npos);
    config.full_scrape = true;
    auto v = decode("/scrape");

    EXPECT_EQ(v.find_dict("files")->as_dict().size(), 1u);
}

TEST_F(HttpRouterTest, AccessListAndPasskeys) {
    access.publish(std::make_shared<const AccessPolicy>(
        AccessMode::allow, InfoHashSet{test::hash_of(1)}, true,
        std::unordered_set<std::string>{"sekrit"}));
    auto no_key = decode(announce_target(1, "AAAAAAAAAAAAAAAAAAAA", 1));
    EXPECT_EQ(no_key.find_string("failure reason")->as_string(), "this tracker needs a passkey");
    auto target = announce_target(1, "AAAAAAAAAAAAAAAAAAAA", 1);
    auto bad = decode("/wrong" + target);
    EXPECT_EQ(bad.find_string("failure reason")->as_string(), "unknown passkey");
    auto good = decode("/sekrit" + target);

    EXPECT_EQ(good.find_string("failure reason"), nullptr);
    auto denied = decode("/sekrit" + announce_target(2, "AAAAAAAAAAAAAAAAAAAA", 1));
    EXPECT_EQ(denied.find_string("failure reason")->as_string(),
              "torrent not allowed on this tracker");
    EXPECT_EQ(metrics.errors(ErrorKind::access_denied), 1u);
    EXPECT_EQ(metrics.errors(ErrorKind::bad_passkey), 2u);
}

TEST_F(HttpRouterTest, IpParameterIgnoredUnlessConfigured) {
    get(announce_target(1, "AAAAAAAAAAAAAAAAAAAA", 1111, "&ip=1.2.3.4"), "10.0.0.1");
    auto v = decode(announce_target(1, "BBBBBBBBBBBBBBBBBBBB", 2222, "&compact=0"), "10.0.0.2");
    EXPECT_EQ(v.find_list("peers")->as_list()[0].find_string("ip")->as_string(), "10.0.0.1");
    config.accept_ip_param = true;
    get(announce_target(2, "AAAAAAAAAAAAAAAAAAAA", 1111, "&ip=1.2.3.4"), "10.0.0.1");
    auto w = decode(announce_target(2, "BBBBBBBBBBBBBBBBBBBB", 2222, "&compact=0"), "10.0.0.2");
    EXPECT_EQ(w.find_list("peers")->as_list()[0].find_string("ip")->as_string(), "1.2.3.4");
}

TEST_F(HttpRouterTest, NumwantIsCapped) {
    for (int p = 1; p <= 300; ++p) {
        get(announce_target(1, "AAAAAAAAAAAAAAAAAAAA", p), "10.0.0.1");
    }
    auto v =
        decode(announce_target(1, "BBBBBBBBBBBBBBBBBBBB", 9999, "&numwant=100000"), "10.0.0.2");
    EXPECT_EQ(v.find_string("peers")->as_string().size(), 6u * config.numwant_max);
    auto d = decode(announce_target(1, "BBBBBBBBBBBBBBBBBBBB", 9999), "10.0.0.2");
    EXPECT_EQ(d.find_string("peers")->as_string().size(), 6u * config.numwant_default);
}

TEST_F(HttpRouterTest, MetricsAndStats) {
    get(announce_target(1, "AAAAAAAAAAAAAAAAAAAA", 1111, "&left=0"));
    auto m = get("/metrics");
    EXPECT_NE(m.body.find("shoal_tracker_announces_total{protocol=\"http\"} 1"), std::string::npos);
    EXPECT_NE(m.body.find("shoal_tracker_seeders 1"), std::string::npos);
    auto s = get("/stats");
    EXPECT_EQ(s.content_type, "application/json");
    EXPECT_NE(s.body.find("\"torrents\":1"), std::string::npos);
}

TEST(ParseTarget, Routes) {
    EXPECT_EQ(parse_target("/announce?x").route, Route::announce);
    EXPECT_EQ(parse_target("/k/announce").passkey, "k");
    EXPECT_EQ(parse_target("/k/scrape").route, Route::scrape);
    EXPECT_EQ(parse_target("//announce").route, Route::not_found);
    EXPECT_EQ(parse_target("/a/b/announce").route, Route::not_found);
    EXPECT_EQ(parse_target("announce").route, Route::not_found);
}

}  // namespace
}  // namespace shoal::tracker
