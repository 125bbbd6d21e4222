// Magnet links (BEP 9, BEP 52 btmh, BEP 53 so=): parsing, producing, round trips, errors, limits.

#include <gtest/gtest.h>

#include <string>

#include "metainfo/magnet.hpp"

namespace shoal {
namespace {

const std::string k_v1_hex = "c0fda1edafdbdbb96443424e0b3899af7159d10e";
// base64.b32encode(bytes.fromhex(k_v1_hex)) in Python.
const std::string k_v1_base32 = "YD62D3NP3PN3SZCDIJHAWOEZV5YVTUIO";
const std::string k_v2_hex = "597b180c1a170a585dfc5e85d834d69013ceda174b8f357d5bb1a0ca509faf0a";

std::string error_of(std::string_view uri, const MagnetLimits& limits = {}) {
    auto m = parse_magnet(uri, limits);
    return m.ok() ? "(accepted)" : m.error().message;
}

void expect_same(const MagnetLink& a, const MagnetLink& b) {
    EXPECT_EQ(a.info_hash_v1, b.info_hash_v1);
    EXPECT_EQ(a.info_hash_v2, b.info_hash_v2);
    EXPECT_EQ(a.display_name, b.display_name);
    EXPECT_EQ(a.trackers, b.trackers);
    EXPECT_EQ(a.web_seeds, b.web_seeds);
    EXPECT_EQ(a.peers, b.peers);
    EXPECT_EQ(a.select_only, b.select_only);
}

TEST(Magnet, HexInfoHash) {
    auto m = parse_magnet("magnet:?xt=urn:btih:" + k_v1_hex);
    ASSERT_TRUE(m.ok()) << m.error().message;
    ASSERT_TRUE(m->info_hash_v1);
    EXPECT_EQ(m->info_hash_v1->hex(), k_v1_hex);
    EXPECT_FALSE(m->info_hash_v2);
    EXPECT_TRUE(m->display_name.empty());
    EXPECT_TRUE(m->trackers.empty());
}

TEST(Magnet, UppercaseHexInfoHash) {
    std::string upper = k_v1_hex;
    for (char& c : upper)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    auto m = parse_magnet("magnet:?xt=urn:btih:" + upper);
    ASSERT_TRUE(m.ok()) << m.error().message;
    EXPECT_EQ(m->info_hash_v1->hex(), k_v1_hex);
}

TEST(Magnet, Base32InfoHash) {
    for (const std::string& b32 : {k_v1_base32, std::string("yd62d3np3pn3szcdijhawoezv5yvtuio")}) {
        auto m = parse_magnet("magnet:?xt=urn:btih:" + b32);
        ASSERT_TRUE(m.ok()) << m.error().message;
        EXPECT_EQ(m->info_hash_v1->hex(), k_v1_hex);
    }
}

TEST(Magnet, V2AndHybrid) {
    auto v2 = parse_magnet("magnet:?xt=urn:btmh:1220" + k_v2_hex);
    ASSERT_TRUE(v2.ok()) << v2.error().message;
    EXPECT_FALSE(v2->info_hash_v1);
    EXPECT_EQ(v2->info_hash_v2->hex(), k_v2_hex);

    auto hybrid = parse_magnet("magnet:?xt=urn:btih:" + k_v1_hex + "&xt=urn:btmh:1220" + k_v2_hex);
    ASSERT_TRUE(hybrid.ok()) << hybrid.error().message;
    EXPECT_EQ(hybrid->info_hash_v1->hex(), k_v1_hex);
    EXPECT_EQ(hybrid->info_hash_v2->hex(), k_v2_hex);
}

TEST(Magnet, OtherNamespacesAreSkipped) {
    auto m = parse_magnet("magnet:?xt=urn:ed2k:31D6CFE0D16AE931B73C59D7E0C089C0&xt=urn:btih:" +
                          k_v1_hex);
    ASSERT_TRUE(m.ok()) << m.error().message;
    EXPECT_EQ(m->info_hash_v1->hex(), k_v1_hex);
}

TEST(Magnet, NameTrackersSeedsPeers) {
    auto m = parse_magnet("magnet:?xt=urn:btih:" + k_v1_hex +
                          "&dn=My%20Files%26More"
                          "&tr=udp%3A%2F%2Ftracker.example%3A6969%2Fannounce"
                          "&tr=http://second.example/announce?key=a%26b"
                          "&tr=udp%3A%2F%2Ftracker.example%3A6969%2Fannounce"  // duplicate, dropped
                          "&tr.1=http://third.example/announce"
                          "&ws=http%3A%2F%2Fseed.example%2Fpath%2F"
                          "&x.pe=10.0.0.1:6881&x.pe=%5B2001:db8::1%5D:51413&x.pe=host.example:1"
                          "&unknown=ignored");
    ASSERT_TRUE(m.ok()) << m.error().message;
    EXPECT_EQ(m->display_name, "My Files&More");
    EXPECT_EQ(m->trackers, (std::vector<std::string>{"udp://tracker.example:6969/announce",
                                                     "http://second.example/announce?key=a&b",
                                                     "http://third.example/announce"}));
    EXPECT_EQ(m->web_seeds, std::vector<std::string>{"http://seed.example/path/"});
    EXPECT_EQ(m->peers,
              (std::vector<std::string>{"10.0.0.1:6881", "[2001:db8::1]:51413", "host.example:1"}));
}

TEST(Magnet, SelectOnlyRanges) {
    auto m = parse_magnet("magnet:?xt=urn:btih:" + k_v1_hex + "&so=0,2,4-6,10-10");
    ASSERT_TRUE(m.ok()) << m.error().message;
    const std::vector<FileIndexRange> expected = {{0, 0}, {2, 2}, {4, 6}, {10, 10}};
    EXPECT_EQ(m->select_only, expected);
}

TEST(Magnet, BadSelectOnly) {
    const std::string base = "magnet:?xt=urn:btih:" + k_v1_hex + "&so=";
    for (const char* so : {"6-4", "a", "-1", "1-", "1--2", "1,,2", "1-2-3", "9999999999", "1%20"}) {
        EXPECT_NE(error_of(base + so).find("invalid 'so' file selection"), std::string::npos)
            << so << ": " << error_of(base + so);
    }
}

TEST(Magnet, MissingOrBadInfoHash) {
    EXPECT_NE(error_of("magnet:?dn=x").find("no BitTorrent info-hash"), std::string::npos);
    EXPECT_NE(error_of("magnet:?xt=urn:btih:abc").find("invalid btih"), std::string::npos);
    EXPECT_NE(error_of("magnet:?xt=urn:btih:" + k_v1_hex + "0").find("invalid btih"),
              std::string::npos);
    EXPECT_NE(error_of("magnet:?xt=urn:btih:" + std::string(40, 'g')).find("invalid btih"),
              std::string::npos);
    EXPECT_NE(error_of("magnet:?xt=urn:btih:" + std::string(32, '1')).find("invalid btih"),
              std::string::npos);
    EXPECT_NE(
        error_of("magnet:?xt=urn:btmh:1114" + k_v2_hex.substr(0, 40)).find("unsupported btmh"),
        std::string::npos);
    EXPECT_NE(error_of("magnet:?xt=urn:btmh:1220" + k_v2_hex.substr(2)).find("invalid btmh"),
              std::string::npos);
}

TEST(Magnet, NotAMagnetLink) {
    for (const char* uri :
         {"", "http://example.com/?xt=urn:btih:c0fda1edafdbdbb96443424e0b3899af7159d10e", "magnet",
          "not a uri at all", "magnet:?xt=%zz"}) {
        EXPECT_NE(error_of(uri), "(accepted)") << uri;
    }
    EXPECT_NE(error_of("http://example.com/").find("not a magnet link"), std::string::npos);
}

TEST(Magnet, BadPeers) {
    const std::string base = "magnet:?xt=urn:btih:" + k_v1_hex + "&x.pe=";
    for (const char* pe : {"noport", ":6881", "host:0", "host:65536", "host:", "host:x"}) {
        EXPECT_NE(error_of(base + pe).find("invalid 'x.pe' peer"), std::string::npos) << pe;
    }
}

TEST(Magnet, Limits) {
    MagnetLimits limits;
    limits.max_entries = 2;
    const std::string base = "magnet:?xt=urn:btih:" + k_v1_hex;
    EXPECT_TRUE(parse_magnet(base + "&tr=http://a/&tr=http://b/", limits).ok());
    EXPECT_NE(
        error_of(base + "&tr=http://a/&tr=http://b/&tr=http://c/", limits).find("too many 'tr'"),
        std::string::npos);
    EXPECT_NE(
        error_of(base + "&ws=http://a/&ws=http://b/&ws=http://c/", limits).find("too many 'ws'"),
        std::string::npos);
    EXPECT_NE(error_of(base + "&x.pe=a:1&x.pe=b:1&x.pe=c:1", limits).find("too many 'x.pe'"),
              std::string::npos);
    EXPECT_NE(error_of(base + "&so=1,2,3", limits).find("too many 'so' ranges"), std::string::npos);

    limits = {};
    limits.max_length = 100;
    EXPECT_NE(error_of(base + "&dn=" + std::string(100, 'x'), limits).find("too long"),
              std::string::npos);
    // The default length limit (64 KiB).
    EXPECT_NE(error_of(base + "&dn=" + std::string(70000, 'x')).find("too long"),
              std::string::npos);
    // As many trackers as a torrent may have; a URL too long to be one is left out.
    EXPECT_EQ(MagnetLimits{}.max_entries, k_max_trackers);
    const std::string longest = "http://a/" + std::string(k_max_tracker_url_bytes - 9, 'x');
    auto m = parse_magnet(base + "&tr=" + longest + "&tr=" + longest + "x&tr=http://b/");
    ASSERT_TRUE(m.ok()) << m.error().message;
    EXPECT_EQ(m->trackers, (std::vector<std::string>{longest, "http://b/"}));
}

TEST(Magnet, ToUriExactForm) {
    MagnetLink m;
    m.info_hash_v1 = InfoHashV1::from_hex(k_v1_hex);
    m.info_hash_v2 = InfoHashV2::from_hex(k_v2_hex);
    m.display_name = "a b&c";
    m.trackers = {"udp://t.example:6969/announce"};
    m.web_seeds = {"http://w.example/x y"};
    m.peers = {"10.0.0.1:6881"};
    m.select_only = {{0, 0}, {3, 5}};
    EXPECT_EQ(to_uri(m), "magnet:?xt=urn:btih:" + k_v1_hex + "&xt=urn:btmh:1220" + k_v2_hex +
                             "&dn=a%20b%26c&tr=udp://t.example:6969/announce"
                             "&ws=http://w.example/x%20y&x.pe=10.0.0.1:6881&so=0,3-5");
}

TEST(Magnet, RoundTrip) {
    MagnetLink m;
    m.info_hash_v1 = InfoHashV1::from_hex(k_v1_hex);
    m.info_hash_v2 = InfoHashV2::from_hex(k_v2_hex);
    m.display_name = "Ünïcode name + 100% & more = ?#[]";
    m.trackers = {"http://t.example/announce?passkey=a&b=c", "udp://[::1]:6969"};
    m.web_seeds = {"https://w.example/dir with space/"};
    m.peers = {"[2001:db8::1]:51413", "host.example:6881"};
    m.select_only = {{1, 1}, {4, 9}, {100000, 999999999}};
    const std::string uri = to_uri(m);
    auto back = parse_magnet(uri);
    ASSERT_TRUE(back.ok()) << back.error().message << "\n" << uri;
    expect_same(*back, m);
    EXPECT_EQ(to_uri(*back), uri);
}

TEST(Magnet, RoundTripV1Only) {
    auto m = parse_magnet("magnet:?xt=urn:btih:" + k_v1_base32 + "&dn=x");
    ASSERT_TRUE(m.ok());
    // Always written as hex, which every client reads.
    EXPECT_EQ(to_uri(*m), "magnet:?xt=urn:btih:" + k_v1_hex + "&dn=x");
    auto back = parse_magnet(to_uri(*m));
    ASSERT_TRUE(back.ok());
    expect_same(*back, *m);
}

TEST(Magnet, MessagesAreOneLine) {
    const std::string base = "magnet:?xt=urn:btih:" + k_v1_hex;
    for (const std::string& uri :
         {base + "&x.pe=a%0Ab", base + "&so=1%0A2", base + "&so=%0D", base + "&x.pe=%0D%0A:x"}) {
        const std::string m = error_of(uri);
        ASSERT_NE(m, "(accepted)") << uri;
        EXPECT_EQ(m.find_first_of("\r\n"), std::string::npos) << m;
    }
    EXPECT_NE(error_of(base + "&x.pe=a%0Ab").find("'a\\x0ab'"), std::string::npos);
    // Long values are cut rather than echoed whole.
    EXPECT_LT(error_of(base + "&x.pe=" + std::string(5000, 'x')).size(), 200u);
}

// Found by fuzz_magnet: an empty query followed by a fragment crashed while iterating the
// parameters (a Boost.URL 1.81 bug); the fragment is now ignored.
TEST(Magnet, EmptyQueryWithFragment) {
    EXPECT_NE(error_of("magnet:?#x").find("no BitTorrent info-hash"), std::string::npos);
    EXPECT_NE(error_of("magnet:etu?#qDSOEImagneOt0uurn:bht6:=2YiDWtr.O").find("no BitTorrent"),
              std::string::npos);
    auto m = parse_magnet("magnet:?xt=urn:btih:" + k_v1_hex + "&#fragment&dn=ignored");
    ASSERT_TRUE(m.ok()) << m.error().message;
    EXPECT_TRUE(m->display_name.empty());
}

TEST(Magnet, ForTorrent) {
    TorrentInfo t;
    t.name = "name with space";
    t.info_hash_v1 = InfoHashV1::from_hex(k_v1_hex);
    t.trackers = {{"http://a/announce", "http://b/announce"}, {"udp://c:1"}};
    t.web_seeds = {"http://seed/"};
    const MagnetLink m = magnet_for(t);
    EXPECT_EQ(m.info_hash_v1, t.info_hash_v1);
    EXPECT_FALSE(m.info_hash_v2);
    EXPECT_EQ(m.display_name, t.name);
    EXPECT_EQ(m.trackers,
              (std::vector<std::string>{"http://a/announce", "http://b/announce", "udp://c:1"}));
    EXPECT_EQ(m.web_seeds, t.web_seeds);
    auto back = parse_magnet(to_uri(m));
    ASSERT_TRUE(back.ok()) << back.error().message;
    expect_same(*back, m);
}

}  // namespace
}  // namespace shoal
