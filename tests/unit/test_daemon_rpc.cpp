// shoald's RPC: base64, the access checks in their order, and Transmission's methods over a
// real control layer on loopback.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <chrono>
#include <thread>

#include "control/controller.hpp"
#include "creation/create_torrent.hpp"
#include "daemon/base64.hpp"
#include "daemon/rpc_access.hpp"
#include "daemon/rpc_methods.hpp"
#include "daemon_methods_fixture.hpp"
#include "test_files.hpp"

namespace json = boost::json;
using namespace shoal;
using namespace shoal::daemon;

namespace {

boost::asio::ip::address ip(const char* text) { return boost::asio::ip::make_address(text); }

AddressRange range(const char* text) {
    auto r = parse_address_range(text);
    EXPECT_TRUE(r.ok()) << text;
    return r.ok() ? *r : AddressRange{};
}

RpcAccess loopback_access() {
    RpcAccess access;
    access.whitelist = {range("127.0.0.0/8"), range("::1")};
    access.session_id = "0123456789abcdef0123456789abcdef0123456789abcdef";
    return access;
}

TEST(DaemonBase64, RoundTripsEveryLength) {
    std::string bytes;
    for (int i = 0; i < 40; ++i) {
        EXPECT_EQ(from_base64(to_base64(bytes)), bytes);
        bytes += static_cast<char>(i * 37);
    }
    EXPECT_EQ(to_base64("user:pass"), "dXNlcjpwYXNz");
    EXPECT_EQ(from_base64("dXNl\r\ncjpw YXNz"), "user:pass");
    EXPECT_EQ(from_base64("dXNlcjE="), "user1");
    EXPECT_EQ(from_base64("dXNlcjE"), "user1");
    EXPECT_FALSE(from_base64("dXNl*jE="));
    EXPECT_FALSE(from_base64("dXNlc"));
    EXPECT_FALSE(from_base64("dX=Nl"));
}

TEST(DaemonAccess, AddressRanges) {
    EXPECT_TRUE(in_range(ip("127.0.0.1"), range("127.0.0.0/8")));
    EXPECT_TRUE(in_range(ip("127.255.3.4"), range("127.0.0.0/8")));
    EXPECT_FALSE(in_range(ip("128.0.0.1"), range("127.0.0.0/8")));
    EXPECT_TRUE(in_range(ip("192.168.1.77"), range("192.168.1.64/26")));
    EXPECT_FALSE(in_range(ip("192.168.1.128"), range("192.168.1.64/26")));
    EXPECT_TRUE(in_range(ip("10.1.2.3"), range("10.1.2.3")));
    EXPECT_FALSE(in_range(ip("10.1.2.4"), range("10.1.2.3")));
    EXPECT_TRUE(in_range(ip("::1"), range("::1")));
    EXPECT_FALSE(in_range(ip("::2"), range("::1")));
    EXPECT_TRUE(in_range(ip("fd00:1::5"), range("fd00::/8")));
    EXPECT_TRUE(in_range(ip("1.2.3.4"), range("0.0.0.0/0")));
    EXPECT_FALSE(in_range(ip("::1"), range("0.0.0.0/0")));
    // A dual-stack socket's IPv4 client.
    EXPECT_TRUE(in_range(ip("::ffff:127.0.0.1"), range("127.0.0.1")));
    EXPECT_FALSE(parse_address_range("127.0.0.1/33"));
    EXPECT_FALSE(parse_address_range("127.0.0.1/"));
    EXPECT_FALSE(parse_address_range("::1/129"));
    EXPECT_FALSE(parse_address_range("localhost"));
    EXPECT_FALSE(parse_address_range("10.0.0.0/8x"));
}

TEST(DaemonAccess, HostHeader) {
    const std::vector<std::string> names{"seedbox.example", "NAS"};
    EXPECT_TRUE(host_allowed("127.0.0.1:9091", names));
    EXPECT_TRUE(host_allowed("192.168.1.5", names));
    EXPECT_TRUE(host_allowed("[::1]:9091", names));
    EXPECT_TRUE(host_allowed("[fe80::1]", names));
    EXPECT_TRUE(host_allowed("localhost:9091", names));
    EXPECT_TRUE(host_allowed("LOCALHOST.", names));
    EXPECT_TRUE(host_allowed("seedbox.example:9091", names));
    EXPECT_TRUE(host_allowed("nas", names));
    EXPECT_FALSE(host_allowed("attacker.example:9091", names));
    EXPECT_FALSE(host_allowed("seedbox.example.attacker.example", names));
    EXPECT_FALSE(host_allowed("", names));
    EXPECT_FALSE(host_allowed("::1", names));  // IPv6 only in brackets
    EXPECT_FALSE(host_allowed("[127.0.0.1]", names));
    EXPECT_FALSE(host_allowed("[::1]x", names));
    EXPECT_FALSE(host_allowed("[::1", names));
}

TEST(DaemonAccess, ChecksInOrder) {
    RpcAccess access = loopback_access();
    access.username = "user";
    access.password = hash_password("pa:ss");
    const std::string good_auth = "Basic " + to_base64("user:pa:ss");
    const RequestCredentials good{ip("127.0.0.1"), "127.0.0.1:9091", good_auth, access.session_id};
    EXPECT_FALSE(check_access(access, good));

    // Each refusal wins over the ones after it.
    RequestCredentials r{ip("10.0.0.1"), "evil.example", "", ""};
    auto refused = check_access(access, r);
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 403u);
    r.client = ip("::1");
    refused = check_access(access, r);
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 421u);
    r.host = "[::1]:9091";
    refused = check_access(access, r);
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 401u);
    ASSERT_EQ(refused->headers.size(), 1u);
    EXPECT_EQ(refused->headers[0].first, "WWW-Authenticate");
    r.authorization = good_auth;
    refused = check_access(access, r);
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 409u);
    ASSERT_EQ(refused->headers.size(), 1u);
    EXPECT_EQ(refused->headers[0].first, "X-Transmission-Session-Id");
    EXPECT_EQ(refused->headers[0].second, access.session_id);
    r.session_id = access.session_id;
    EXPECT_FALSE(check_access(access, r));
}

TEST(DaemonAccess, WrongCredentials) {
    RpcAccess access = loopback_access();
    access.username = "user";
    access.password = hash_password("secret");
    for (std::string auth : {std::string(), "Basic " + to_base64("user:wrong"), "Basic " + to_base64("user:secre"),
                             "Basic " + to_base64("user:secretx"), "Basic " + to_base64("other:secret"),
                             "Bearer " + to_base64("user:secret"), std::string("Basic !!!")}) {
        auto refused = check_access(access, {ip("127.0.0.1"), "localhost", auth, access.session_id});
        ASSERT_TRUE(refused) << auth;
        EXPECT_EQ(refused->status, 401u) << auth;
    }
    EXPECT_FALSE(check_access(access, {ip("127.0.0.1"), "localhost", "basic  " + to_base64("user:secret"),
                                       access.session_id}));
    // Without a user name, no credentials are asked for.
    access.username.clear();
    access.password = {};
    EXPECT_FALSE(check_access(access, {ip("127.0.0.1"), "localhost", "", access.session_id}));
    auto refused = check_access(access, {ip("127.0.0.1"), "localhost", "", "wrong"});
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 409u);
}

TEST(DaemonAccess, AcceptedCredentialsAreRememberedForTheSamePasswordOnly) {
    RpcAccess access = loopback_access();
    access.username = "user";
    access.password = hash_password("secret");
    const std::string good_auth = "Basic " + to_base64("user:secret");
    const std::string wrong_auth = "Basic " + to_base64("user:secreT");
    const RequestCredentials good{ip("127.0.0.1"), "localhost", good_auth, access.session_id};
    EXPECT_FALSE(check_access(access, good));
    // Remembered: accepted again without deriving the hash (which, with the iteration count
    // changed under it, would no longer match).
    access.password.iterations = 1;
    EXPECT_FALSE(check_access(access, good));
    // Anything else still pays the whole check, and fails it.
    const RequestCredentials wrong{ip("127.0.0.1"), "localhost", wrong_auth, access.session_id};
    ASSERT_TRUE(check_access(access, wrong));
    // A new password (or user) is never matched by what was remembered for the old one.
    access.password = hash_password("other");
    auto refused = check_access(access, good);
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 401u);
    access.password = hash_password("secret");
    access.username = "someone";
    EXPECT_TRUE(check_access(access, good));
}

TEST(DaemonAccess, SecretsAndSessionIds) {
    EXPECT_TRUE(secrets_equal("abc", "abc"));
    EXPECT_FALSE(secrets_equal("abc", "abd"));
    EXPECT_FALSE(secrets_equal("abc", "abcd"));
    EXPECT_FALSE(secrets_equal("", "a"));
    const std::string a = make_session_id();
    const std::string b = make_session_id();
    EXPECT_EQ(a.size(), 48u);
    EXPECT_NE(a, b);
    for (char c : a) EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c))) << a;
}

TEST_F(DaemonMethods, AnswersCarryTheTagAndNameUnknownMethods) {
    auto answer = call("no-such-method", {}, 42);
    EXPECT_EQ(answer["result"], "method name not recognized");
    EXPECT_EQ(answer["tag"], 42);
    answer = call(json::object{{"method", "session-stats"}});
    EXPECT_EQ(answer["result"], "success");
    EXPECT_FALSE(answer.contains("tag"));
    json::value broken = json::parse(methods_->handle("{\"method\": "));
    EXPECT_NE(broken.as_object()["result"], "success");
    broken = json::parse(methods_->handle("[1]"));
    EXPECT_NE(broken.as_object()["result"], "success");
    answer = call(json::object{{"arguments", json::object{}}, {"tag", 3}});
    EXPECT_EQ(answer["result"], "no method name was given");
    EXPECT_EQ(answer["tag"], 3);
}

TEST_F(DaemonMethods, SessionGet) {
    auto answer = call("session-get");
    ASSERT_EQ(answer["result"], "success");
    auto& a = answer["arguments"].as_object();
    EXPECT_EQ(a["rpc-version"], 17);
    EXPECT_EQ(a["rpc-version-minimum"], 14);
    EXPECT_EQ(a["version"], "Shoal test");
    EXPECT_EQ(a["session-id"], "id");
    EXPECT_EQ(a["download-dir"], json::value((dir_.path() / "downloads").string()));
    EXPECT_EQ(a["peer-port"], json::value(controller_->listen_port()));
    EXPECT_EQ(a["dht-enabled"], false);
    EXPECT_EQ(a["utp-enabled"], true);
    EXPECT_EQ(a["encryption"], "preferred");
    EXPECT_EQ(a["speed-limit-up"], 250);
    EXPECT_EQ(a["speed-limit-up-enabled"], true);
    EXPECT_EQ(a["speed-limit-down-enabled"], false);
    EXPECT_EQ(a["seedRatioLimit"], 2.0);
    EXPECT_EQ(a["seedRatioLimited"], true);

    answer = call("session-get", {{"fields", json::array{"version", "peer-port", "no-such-field"}}});
    EXPECT_EQ(answer["arguments"].as_object().size(), 2u);
}

TEST_F(DaemonMethods, AddGetStopStartRemove) {
    const std::string metainfo = make_torrent("one.bin", 100'000, 1);
    auto answer = call("torrent-add", {{"metainfo", to_base64(metainfo)}, {"paused", true}}, 9);
    ASSERT_EQ(answer["result"], "success") << json::serialize(answer);
    EXPECT_EQ(answer["tag"], 9);
    auto& added = answer["arguments"].as_object()["torrent-added"].as_object();
    EXPECT_EQ(added["name"], "one.bin");
    const std::int64_t id = added["id"].as_int64();
    const std::string hash(added["hashString"].as_string());
    EXPECT_EQ(hash.size(), 40u);

    // Added again, by file name this time: the same torrent.
    const auto path = dir_.path() / "one.torrent";
    std::ofstream(path, std::ios::binary) << metainfo;
    answer = call("torrent-add", {{"filename", path.string()}});
    ASSERT_EQ(answer["result"], "success") << json::serialize(answer);
    auto& duplicate = answer["arguments"].as_object()["torrent-duplicate"].as_object();
    EXPECT_EQ(duplicate["id"], id);
    EXPECT_EQ(duplicate["hashString"], json::value(hash));

    ASSERT_TRUE(wait_for_status(id, 0));
    answer = call("torrent-start", {{"ids", json::array{hash}}});
    EXPECT_EQ(answer["result"], "success");
    ASSERT_TRUE(wait_for_status(id, 6));  // the data is all there: seeding

    answer = call("torrent-get", {{"fields", json::array{"id", "name", "hashString", "status", "percentDone",
                                                          "totalSize", "sizeWhenDone", "leftUntilDone", "eta",
                                                          "error", "errorString", "downloadDir", "isFinished",
                                                          "addedDate", "no-such-field"}}});
    auto& torrents = answer["arguments"].as_object()["torrents"].as_array();
    ASSERT_EQ(torrents.size(), 1u);
    auto& t = torrents[0].as_object();
    EXPECT_EQ(t["id"], id);
    EXPECT_EQ(t["percentDone"], 1.0);
    EXPECT_EQ(t["totalSize"], 100'000);
    EXPECT_EQ(t["sizeWhenDone"], 100'000);
    EXPECT_EQ(t["leftUntilDone"], 0);
    EXPECT_EQ(t["eta"], -1);
    EXPECT_EQ(t["error"], 0);
    EXPECT_EQ(t["errorString"], "");
    EXPECT_EQ(t["downloadDir"], json::value((dir_.path() / "downloads").string()));
    EXPECT_EQ(t["isFinished"], false);
    EXPECT_GT(t["addedDate"].as_int64(), 0);
    EXPECT_FALSE(t.contains("no-such-field"));

    answer = call("torrent-stop", {{"ids", id}});
    EXPECT_EQ(answer["result"], "success");
    ASSERT_TRUE(wait_for_status(id, 0));
    EXPECT_EQ(call("torrent-verify", {{"ids", id}})["result"], "success");
    EXPECT_EQ(call("torrent-reannounce", {})["result"], "success");

    answer = call("torrent-remove", {{"ids", json::array{id}}, {"delete-local-data", false}});
    EXPECT_EQ(answer["result"], "success");
    answer = call("torrent-get", {{"fields", json::array{"id"}}});
    EXPECT_TRUE(answer["arguments"].as_object()["torrents"].as_array().empty());
    EXPECT_TRUE(std::filesystem::exists(dir_.path() / "downloads" / "one.bin"));
}

// Shoal's own fields for the info-hashes, which Transmission's hashString cannot say both of.
TEST_F(DaemonMethods, InfoHashFieldsNameEachVersion) {
    const json::array fields{"hashString", "shoalInfoHashV1", "shoalInfoHashV2"};
    auto v1 = get(add(make_torrent("hashes-v1.bin", 40'000, 21, TorrentFormat::v1), true), fields);
    EXPECT_EQ(v1["shoalInfoHashV1"], v1["hashString"]);
    EXPECT_EQ(v1["shoalInfoHashV1"].as_string().size(), 40u);
    EXPECT_EQ(v1["shoalInfoHashV2"], "") << "a v1-only torrent has no v2 hash";

    auto hybrid = get(add(make_torrent("hashes-hybrid.bin", 40'000, 22, TorrentFormat::hybrid), true), fields);
    EXPECT_EQ(hybrid["shoalInfoHashV1"], hybrid["hashString"]);
    EXPECT_EQ(hybrid["shoalInfoHashV1"].as_string().size(), 40u);
    const std::string v2_hex(hybrid["shoalInfoHashV2"].as_string());
    EXPECT_EQ(v2_hex.size(), 64u);
    EXPECT_EQ(v2_hex.find_first_not_of("0123456789abcdef"), std::string::npos) << v2_hex;

    auto v2 = get(add(make_torrent("hashes-v2.bin", 40'000, 23, TorrentFormat::v2), true), fields);
    EXPECT_EQ(v2["shoalInfoHashV1"], "") << "a v2-only torrent has no v1 hash";
    EXPECT_EQ(v2["shoalInfoHashV2"].as_string().size(), 64u);
    EXPECT_EQ(v2["shoalInfoHashV2"], v2["hashString"]);

    // Not known while a magnet link waits for its metadata.
    auto answer = call("torrent-add", {{"filename", "magnet:?xt=urn:btih:00112233445566778899aabbccddeeff00112233"},
                                       {"paused", true}});
    ASSERT_EQ(answer["result"], "success") << json::serialize(answer);
    const auto magnet = get(answer["arguments"].as_object()["torrent-added"].as_object()["id"].as_int64(), fields);
    EXPECT_TRUE(magnet.at("shoalInfoHashV1").is_null());
    EXPECT_TRUE(magnet.at("shoalInfoHashV2").is_null());
}

TEST_F(DaemonMethods, APausedTorrentWithoutDataIsNotShownDone) {
    const std::string metainfo = make_torrent("absent.bin", 300'000, 5);
    std::filesystem::remove(dir_.path() / "downloads" / "absent.bin");
    const std::int64_t id = add(metainfo, true);
    ASSERT_TRUE(wait_for_status(id, 0));
    for (int i = 0; i < 20; ++i) {
        (void)controller_->poll();
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    auto t = get(id, {"sizeWhenDone", "leftUntilDone", "percentDone"});
    EXPECT_EQ(t["sizeWhenDone"], 300'000);
    EXPECT_EQ(t["leftUntilDone"], 300'000);
    EXPECT_EQ(t["percentDone"].to_number<double>(), 0.0);
}

// `pieces`: Transmission's base64 bitfield of the pieces had, the first piece in the high bit.
TEST_F(DaemonMethods, PiecesAreTheBitfieldOfThePiecesHad) {
    const std::int64_t whole = add(make_torrent("whole.bin", 300'000, 11), false);
    ASSERT_TRUE(wait_for_status(whole, 6));
    const std::string absent = make_torrent("absent.bin", 300'000, 12);
    std::filesystem::remove(dir_.path() / "downloads" / "absent.bin");
    const std::int64_t none = add(absent, true);
    ASSERT_TRUE(wait_for_status(none, 0));
    // The bitfield once the session has sent the torrent's details (asked for by the request).
    auto bits = [&](std::int64_t id, std::int64_t& count) {
        std::string out;
        for (int i = 0; i < 200 && out.empty(); ++i) {
            auto t = get(id, {"pieces", "pieceCount"});
            count = t["pieceCount"].as_int64();
            out = from_base64(t["pieces"].as_string()).value_or("");
            (void)controller_->poll();
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        return out;
    };
    std::int64_t count = 0;
    const std::string had = bits(whole, count);
    ASSERT_GT(count, 8);
    ASSERT_EQ(had.size(), static_cast<std::size_t>((count + 7) / 8));
    for (std::int64_t p = 0; p < static_cast<std::int64_t>(had.size()) * 8; ++p) {
        const bool set = (static_cast<unsigned char>(had[static_cast<std::size_t>(p / 8)]) >> (7 - p % 8)) & 1;
        EXPECT_EQ(set, p < count) << "bit " << p;
    }
    const std::string missing = bits(none, count);
    ASSERT_EQ(missing.size(), static_cast<std::size_t>((count + 7) / 8));
    EXPECT_EQ(missing, std::string(missing.size(), '\0'));
}

TEST_F(DaemonMethods, IdsAndTables) {
    const auto a = call("torrent-add", {{"metainfo", to_base64(make_torrent("a.bin", 20'000, 2))}, {"paused", true}});
    const auto b = call("torrent-add", {{"metainfo", to_base64(make_torrent("b.bin", 30'000, 3))}, {"paused", true}});
    ASSERT_EQ(a.at("result"), "success");
    ASSERT_EQ(b.at("result"), "success");
    const auto& b_added = b.at("arguments").as_object().at("torrent-added").as_object();
    const std::int64_t b_id = b_added.at("id").as_int64();
    std::string b_hash(b_added.at("hashString").as_string());
    for (auto& c : b_hash) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));

    auto names = [&](json::object args) {
        args["fields"] = json::array{"name"};
        auto answer = call("torrent-get", std::move(args));
        std::vector<std::string> out;
        for (const auto& t : answer["arguments"].as_object()["torrents"].as_array())
            out.emplace_back(t.as_object().at("name").as_string());
        return out;
    };
    EXPECT_EQ(names({}), (std::vector<std::string>{"a.bin", "b.bin"}));
    EXPECT_EQ(names({{"ids", b_id}}), (std::vector<std::string>{"b.bin"}));
    EXPECT_EQ(names({{"ids", json::array{b_hash}}}), (std::vector<std::string>{"b.bin"}));
    EXPECT_EQ(names({{"ids", json::array{999}}}), (std::vector<std::string>{}));
    EXPECT_EQ(names({{"ids", "recently-active"}}), (std::vector<std::string>{"a.bin", "b.bin"}));

    auto answer = call("torrent-get", {{"format", "table"}, {"fields", json::array{"id", "name", "bogus"}}});
    ASSERT_EQ(answer["result"], "success");
    const auto& rows = answer["arguments"].as_object()["torrents"].as_array();
    ASSERT_EQ(rows.size(), 3u);
    EXPECT_EQ(rows[0], (json::array{"id", "name"}));
    EXPECT_EQ(rows[2].as_array()[1], "b.bin");

    EXPECT_NE(call("torrent-get", {})["result"], "success");
    EXPECT_NE(call("torrent-get", {{"fields", json::array{"id"}}, {"ids", json::object{}}})["result"], "success");

    // recently-active names the torrents removed since it was last asked.
    ASSERT_EQ(call("torrent-remove", {{"ids", b_id}})["result"], "success");
    answer = call("torrent-get", {{"ids", "recently-active"}, {"fields", json::array{"id"}}});
    EXPECT_EQ(answer["arguments"].as_object()["removed"], (json::array{b_id}));

    ASSERT_TRUE(wait_for_status(a.at("arguments").as_object().at("torrent-added").as_object().at("id").as_int64(), 0));
    auto stats = call("session-stats");
    EXPECT_EQ(stats["arguments"].as_object()["torrentCount"], 1);
    EXPECT_EQ(stats["arguments"].as_object()["pausedTorrentCount"], 1);
}

TEST_F(DaemonMethods, WhatShoalCannotDoIsSaid) {
    auto answer = call("torrent-add", {{"filename", "magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567"},
                                  {"files-unwanted", json::array{0}}});
    EXPECT_NE(std::string(answer["result"].as_string()).find("once the torrent's files are known"), std::string::npos);
    answer = call("torrent-add", {});
    EXPECT_EQ(answer["result"], "no filename or metainfo specified");
    answer = call("torrent-add", {{"metainfo", "not base64!"}});
    EXPECT_NE(answer["result"], "success");
    answer = call("torrent-add", {{"metainfo", to_base64("d4:infoe")}});
    EXPECT_NE(answer["result"], "success");
    answer = call("torrent-add", {{"filename", (dir_.path() / "missing.torrent").string()}});
    EXPECT_NE(answer["result"], "success");
    answer = call("torrent-add", {{"filename", "magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567"},
                                  {"download-dir", "relative/dir"}});
    EXPECT_EQ(answer["result"], "download directory path is not absolute");

    answer = call("torrent-add", {{"filename", "magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567&dn=m"},
                                  {"paused", true}});
    ASSERT_EQ(answer["result"], "success");
    auto& added = answer["arguments"].as_object()["torrent-added"].as_object();
    EXPECT_EQ(added["name"], "m");
    EXPECT_EQ(added["hashString"], "0123456789abcdef0123456789abcdef01234567");
    answer = call("torrent-get", {{"fields", json::array{"percentDone", "totalSize", "metadataPercentComplete"}}});
    auto& t = answer["arguments"].as_object()["torrents"].as_array()[0].as_object();
    EXPECT_EQ(t["percentDone"], 0.0);
    EXPECT_EQ(t["totalSize"], 0);
    EXPECT_EQ(t["metadataPercentComplete"], 0.0);
}

}  // namespace
