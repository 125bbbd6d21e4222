// HTTP tracker replies (BEP 3, 7, 23, 48) and request URLs: fields, peer forms, limits, errors.

#include <gtest/gtest.h>

#include <string>

#include "discovery/tracker/tracker_response.hpp"
#include "discovery/tracker/tracker_url.hpp"

namespace shoal::tracker_client {
namespace {

using namespace std::string_literals;

std::string error_of(std::string_view body, const ReplyLimits& limits = {}) {
    auto r = parse_announce_reply(body, limits);
    return r ? "(accepted)" : r.error().message;
}

std::string peer_text(const boost::asio::ip::tcp::endpoint& e) {
    std::string host = e.address().to_string();
    if (e.address().is_v6())
        host = "[" + host + "]";
    return host + ":" + std::to_string(e.port());
}

TEST(TrackerResponse, CompactPeersAndCounts) {
    auto r = parse_announce_reply(
        "d8:completei5e10:downloadedi7e10:incompletei6e8:intervali1800e12:min intervali900e"
        "5:peers12:\x7f\x00\x00\x01\x1a\xe1\x0a\x00\x00\x02\x00\x50"
        "e"s);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->interval, 1800);
    EXPECT_EQ(r->min_interval, 900);
    EXPECT_EQ(r->seeders, 5);
    EXPECT_EQ(r->leechers, 6);
    EXPECT_EQ(r->downloaded, 7);
    ASSERT_EQ(r->peers.size(), 2u);
    EXPECT_EQ(peer_text(r->peers[0]), "127.0.0.1:6881");
    EXPECT_EQ(peer_text(r->peers[1]), "10.0.0.2:80");
}

TEST(TrackerResponse, Peers6AndDictionaryPeers) {
    std::string v6(16, '\0');
    v6[15] = 1;  // ::1
    auto r = parse_announce_reply(
        "d8:intervali60e5:peersld2:ip9:127.0.0.27:peer id20:aaaaaaaaaaaaaaaaaaaa4:porti6882ee"
        "d2:ip7:fe80::14:porti1ee"
        "d2:ip11:example.com4:porti1eee"
        "6:peers618:" +
        v6 + "\x1a\xe1" + "e");
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->peers.size(), 3u);
    EXPECT_EQ(peer_text(r->peers[0]), "127.0.0.2:6882");
    EXPECT_EQ(peer_text(r->peers[1]), "[fe80::1]:1");
    // Host names from a tracker are skipped, not resolved.
    EXPECT_EQ(peer_text(r->peers[2]), "[::1]:6881");
    EXPECT_FALSE(r->seeders);
    EXPECT_FALSE(r->min_interval);
}

TEST(TrackerResponse, ExternalIpOfFourOrSixteenBytes) {
    auto v4 = parse_announce_reply("d11:external ip4:\xcb\x00\x71\x07" "8:intervali60e5:peers0:e"s);
    ASSERT_TRUE(v4) << v4.error().message;
    ASSERT_TRUE(v4->external_ip);
    EXPECT_EQ(v4->external_ip->to_string(), "203.0.113.7");
    auto v6 = parse_announce_reply(
        "d11:external ip16:\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x09"
        "8:intervali60e5:peers0:e"s);
    ASSERT_TRUE(v6) << v6.error().message;
    ASSERT_TRUE(v6->external_ip);
    EXPECT_EQ(v6->external_ip->to_string(), "2001:db8::9");
    // Only advice: another length is left out, and the reply stands.
    auto odd = parse_announce_reply("d11:external ip5:abcde8:intervali60e5:peers0:e"s);
    ASSERT_TRUE(odd) << odd.error().message;
    EXPECT_FALSE(odd->external_ip);
}

TEST(TrackerResponse, MissingIntervalLeavesItToTheAnnouncer) {
    auto r = parse_announce_reply(
        "d5:peers6:\x7f\x00\x00\x01\x1a\xe1"
        "e"s);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->interval, 0);
    EXPECT_EQ(r->peers.size(), 1u);
}

TEST(TrackerResponse, WarningAndTrackerId) {
    auto r = parse_announce_reply(
        "d8:intervali60e10:tracker id3:xyz15:warning message9:slow\x01"
        "down5:peers0:e"s);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->tracker_id, "xyz");
    EXPECT_EQ(r->warning_message, "slow?down");  // control bytes never reach a screen
    EXPECT_TRUE(r->peers.empty());
}

TEST(TrackerResponse, FailureReason) {
    EXPECT_EQ(error_of("d14:failure reason20:unregistered torrente"),
              "failure reason: unregistered torrent");
    // A failure wins even when the rest of the reply looks fine.
    EXPECT_EQ(error_of("d14:failure reason3:bad8:intervali60ee"), "failure reason: bad");
    EXPECT_EQ(error_of("d14:failure reasoni1ee"), "malformed reply: failure reason is no string");
}

TEST(TrackerResponse, MalformedReplies) {
    EXPECT_EQ(error_of(""), "empty reply");
    EXPECT_EQ(error_of("<html>Not found</html>").substr(0, 16), "malformed reply:");
    EXPECT_EQ(error_of("li1ee"), "malformed reply: not a dictionary");
    EXPECT_EQ(error_of("d8:completei1ee"), "malformed reply: neither \"interval\" nor peers");
    EXPECT_EQ(error_of("de"), "malformed reply: neither \"interval\" nor peers");
    EXPECT_EQ(error_of("d8:intervali-5ee"),
              "malformed reply: \"interval\" is not a non-negative integer");
    EXPECT_EQ(error_of("d8:interval2:60e"),
              "malformed reply: \"interval\" is not a non-negative integer");
    EXPECT_EQ(error_of("d8:intervali60e5:peers5:abcdee"),
              "malformed reply: \"peers\" length 5 is not a multiple of 6");
    EXPECT_EQ(error_of("d8:intervali60e6:peers66:abcdefe"),
              "malformed reply: \"peers6\" length 6 is not a multiple of 18");
    EXPECT_EQ(error_of("d8:intervali60e5:peersi3ee"),
              "malformed reply: \"peers\" is neither a string nor a list");
    EXPECT_EQ(error_of("d8:intervali60e5:peerslleee"),
              "malformed reply: a peer is not a dictionary");
    EXPECT_EQ(error_of("d8:intervali60e5:peersld2:ip3:1.2eee"),
              "malformed reply: a peer lacks \"ip\" or \"port\"");
    EXPECT_EQ(error_of("d8:intervali60e5:peersld2:ip7:1.2.3.44:porti70000eeee"),
              "malformed reply: a peer's port is out of range");
    EXPECT_EQ(error_of("d8:intervali60e8:completei-1ee"),
              "malformed reply: \"complete\" is not a non-negative integer");
}

TEST(TrackerResponse, Limits) {
    ReplyLimits limits;
    limits.max_reply_bytes = 20;
    EXPECT_EQ(error_of("d8:intervali60e5:peers0:e", limits),
              "reply of 25 bytes exceeds the limit of 20");
    limits = {};
    limits.max_peers = 2;
    EXPECT_EQ(error_of("d8:intervali60e5:peers18:aaaaaabbbbbbcccccce", limits),
              "reply lists more than 2 peers");
    EXPECT_EQ(
        error_of("d8:intervali60e5:peers12:aaaaaabbbbbb6:peers618:aaaaaaaaaaaaaaaaaae", limits),
        "reply lists more than 2 peers");
    EXPECT_EQ(error_of("d8:intervali60e5:peers12:aaaaaabbbbbbe", limits), "(accepted)");
    // Deep nesting is cut short by the decoder rather than recursing without end.
    std::string deep = "d8:intervali60e1:x" + std::string(5000, 'l') + std::string(5000, 'e') + "e";
    EXPECT_EQ(error_of(deep).substr(0, 16), "malformed reply:");
}

TEST(TrackerResponse, Scrape) {
    const std::string a(20, 'a'), b(20, 'b');
    auto r = parse_scrape_reply("d5:filesd20:" + a +
                                "d8:completei11e10:downloadedi13772e10:incompletei19ee20:" + b +
                                "d8:completei21eeee");
    ASSERT_TRUE(r.ok()) << r.error().message;
    ASSERT_EQ(r->entries.size(), 2u);
    EXPECT_EQ(r->entries[0].info_hash.view(), a);
    EXPECT_EQ(r->entries[0].seeders, 11);
    EXPECT_EQ(r->entries[0].leechers, 19);
    EXPECT_EQ(r->entries[0].downloaded, 13772);
    EXPECT_EQ(r->entries[1].seeders, 21);
    EXPECT_EQ(r->entries[1].leechers, 0);

    EXPECT_EQ(parse_scrape_reply("d5:filesdee")->entries.size(), 0u);
    EXPECT_EQ(parse_scrape_reply("de").error().message, "malformed reply: no \"files\"");
    EXPECT_EQ(parse_scrape_reply("d5:filesd3:abcdeee").error().message,
              "malformed reply: a \"files\" key is not a 20-byte info-hash");
    EXPECT_EQ(parse_scrape_reply("d14:failure reason7:privatee").error().message,
              "failure reason: private");
    ReplyLimits limits;
    limits.max_scrape_entries = 1;
    EXPECT_EQ(parse_scrape_reply("d5:filesd20:" + a + "de20:" + b + "deee", limits).error().message,
              "reply has more than 1 torrents");
}

AnnounceRequest sample_request() {
    AnnounceRequest r;
    for (std::size_t i = 0; i < 20; ++i)
        r.info_hash.bytes[i] = static_cast<std::uint8_t>(i * 13);
    const std::string id = "-SH0001-abc~.-_ /%&=";
    std::copy(id.begin(), id.end(), r.peer_id.bytes.begin());
    r.port = 6881;
    r.uploaded = 1;
    r.downloaded = 2;
    r.left = 3;
    r.event = TrackerEvent::started;
    r.numwant = 50;
    r.key = 0xdeadbeef;
    return r;
}

TEST(TrackerUrl, PercentEncodesBinaryAndKeepsOwnQuery) {
    EXPECT_EQ(percent_encode("aZ09-._~ /?&=%\x00\xff"s), "aZ09-._~%20%2F%3F%26%3D%25%00%FF");
    auto url =
        make_announce_url("http://t.example:8080/announce?passkey=s3cr3t#frag", sample_request());
    ASSERT_TRUE(url.ok()) << url.error().message;
    EXPECT_EQ(*url,
              "http://t.example:8080/announce?passkey=s3cr3t"
              "&info_hash=%00%0D%1A%274AN%5Bhu%82%8F%9C%A9%B6%C3%D0%DD%EA%F7"
              "&peer_id=-SH0001-abc~.-_%20%2F%25%26%3D"
              "&port=6881&uploaded=1&downloaded=2&left=3&compact=1&event=started&numwant=50&key="
              "DEADBEEF");
    auto plain = make_announce_url("https://t.example/announce", AnnounceRequest{});
    ASSERT_TRUE(plain.ok());
    EXPECT_EQ(plain->find("https://t.example/announce?info_hash="), 0u);
    EXPECT_EQ(plain->find("event="), std::string::npos);
    EXPECT_EQ(plain->find("numwant="), std::string::npos);
    auto trailing = make_announce_url("http://t/announce?", AnnounceRequest{});
    EXPECT_EQ(trailing->find("http://t/announce?info_hash="), 0u);
    AnnounceRequest with_id;
    with_id.tracker_id = "a b";
    EXPECT_NE(make_announce_url("http://t/a", with_id)->find("&trackerid=a%20b"),
              std::string::npos);

    EXPECT_EQ(make_announce_url("udp://t:1/announce", {}).error().message,
              "tracker udp://t:1/announce: not an http or https URL");
    EXPECT_EQ(make_announce_url("not a url", {}).error().message,
              "tracker not a url: not a valid URL");
}

TEST(TrackerUrl, CarriesOurIpv6AddressPercentEncodedWhenKnown) {
    auto request = sample_request();
    auto without = make_announce_url("http://t/announce", request);
    ASSERT_TRUE(without.ok());
    EXPECT_EQ(without->find("ipv6="), std::string::npos);

    request.ipv6 = boost::asio::ip::make_address_v6("2001:db8::1:2");
    auto with = make_announce_url("http://t/announce", request);
    ASSERT_TRUE(with.ok());
    EXPECT_EQ(with->substr(with->find("&key=")), "&key=DEADBEEF&ipv6=2001%3Adb8%3A%3A1%3A2");
}

TEST(TrackerUrl, ScrapeAddress) {
    std::vector<SwarmHash> hashes(2);
    hashes[0].bytes.fill('A');
    hashes[1].bytes.fill(0xff);
    auto url = make_scrape_url("http://t/x/announce.php?pk=1", hashes);
    ASSERT_TRUE(url.ok()) << url.error().message;
    EXPECT_EQ(
        *url, "http://t/x/scrape.php?pk=1&info_hash=AAAAAAAAAAAAAAAAAAAA&info_hash=" + [] {
            std::string s;
            for (int i = 0; i < 20; ++i)
                s += "%FF";
            return s;
        }());
    EXPECT_EQ(*make_scrape_url("http://t/announce", {}), "http://t/scrape");
    EXPECT_EQ(make_scrape_url("http://t/a/b", {}).error().message,
              "tracker http://t/a/b: has no scrape address (no \"announce\" in its path)");
    EXPECT_FALSE(make_scrape_url("http://t/announce/x", {}).ok());
    EXPECT_FALSE(make_scrape_url("http://announce", {}).ok());
}

TEST(TrackerUrl, Split) {
    auto p = split_tracker_url("UDP://[::1]:6969/path?a=b");
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_EQ(p->scheme, "udp");
    EXPECT_EQ(p->host, "::1");
    EXPECT_EQ(p->port, 6969);
    EXPECT_EQ(p->target, "/path?a=b");
    p = split_tracker_url("https://tracker.example");
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(p->port, 443);
    EXPECT_EQ(p->target, "/");
    EXPECT_EQ(split_tracker_url("udp://t.example/announce").error().message,
              "tracker udp://t.example/announce: URL has no port");
    EXPECT_EQ(split_tracker_url("http://t:99999/").error().message,
              "tracker http://t:99999/: URL has an invalid port");
    EXPECT_EQ(split_tracker_url("wss://t/").error().message,
              "tracker wss://t/: unsupported scheme \"wss\"");
    EXPECT_EQ(split_tracker_url("http:///announce").error().message,
              "tracker http:///announce: URL has no host");
}

}  // namespace
}  // namespace shoal::tracker_client
