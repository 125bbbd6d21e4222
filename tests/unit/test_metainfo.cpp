// Torrent parsing: v1 single and multi-file, v2, hybrid, pad files, trackers, web seeds and
// the other top-level fields. Expected values come from libtorrent 2.0.8 (python3-libtorrent)
// and Python's hashlib, not from Shoal's own output.

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "crypto/hasher.hpp"
#include "metainfo/torrent_info.hpp"

namespace shoal {
namespace {

const std::string k_corpus = std::string(SHOAL_SHARED_TESTDATA) + "/libtorrent-test-torrents/";

TorrentInfo load(const std::string& file) {
    auto t = load_torrent(k_corpus + file);
    EXPECT_TRUE(t.ok()) << file << ": " << t.error().message;
    return t.ok() ? std::move(t).value() : TorrentInfo{};
}

using Path = std::vector<std::string>;

// An info dictionary with one 425-byte file; sha1 over these exact bytes, from hashlib.
const std::string k_info =
    "d6:lengthi425e4:name4:temp12:piece lengthi16384e6:pieces20:" + std::string(20, 'a') + "e";
const std::string k_info_sha1 = "b7d1d612e44200ed773e5c9e15a7c6ceffd970cb";
const std::string k_private_info =
    "d6:lengthi425e4:name4:temp12:piece lengthi16384e6:pieces20:" + std::string(20, 'a') +
    "7:privatei1e6:source5:SHOALe";
const std::string k_private_info_sha1 = "3d683b278fa1da48f90290f55adad876d7c653d8";

// A torrent with `before` and `after` spliced around the info dictionary.
Result<TorrentInfo> with_root(const std::string& before, const std::string& after = "",
                              const std::string& info = k_info) {
    return parse_torrent("d" + before + "4:info" + info + after + "e");
}

TEST(Metainfo, V1SingleFile) {
    const auto t = load("base.torrent");
    EXPECT_EQ(t.name, "temp");
    EXPECT_FALSE(t.multi_file);
    EXPECT_EQ(t.piece_length, 16384);
    EXPECT_EQ(t.total_size, 425);
    EXPECT_EQ(t.num_pieces, 1);
    ASSERT_EQ(t.files.size(), 1u);
    EXPECT_EQ(t.files[0].path, Path{"temp"});
    EXPECT_EQ(t.files[0].size, 425);
    EXPECT_EQ(t.files[0].offset, 0);
    EXPECT_FALSE(t.files[0].pad);
    EXPECT_EQ(t.info_hash_v1->hex(), "c0fda1edafdbdbb96443424e0b3899af7159d10e");
    EXPECT_FALSE(t.has_v2());
    EXPECT_EQ(t.info_bytes.substr(t.v1_hashes_at - 9, 9), "pieces20:");  // one hash
    EXPECT_EQ(t.created_by, "libtorrent");
    EXPECT_EQ(t.creation_date, 1359599503);
    EXPECT_TRUE(t.trackers.empty());
    EXPECT_TRUE(t.web_seeds.empty());
    EXPECT_FALSE(t.is_private);
    EXPECT_EQ(t.piece_size(0), 425);
}

TEST(Metainfo, V1MultiFileWithPadFile) {
    const auto t = load("sample.torrent");
    EXPECT_EQ(t.name, "sample");
    EXPECT_TRUE(t.multi_file);
    EXPECT_EQ(t.total_size, 16404);
    EXPECT_EQ(t.num_pieces, 2);
    EXPECT_EQ(t.info_hash_v1->hex(), "58d8d15a4eb3bd9afabc9cee2564f78192777edb");
    ASSERT_EQ(t.files.size(), 3u);
    EXPECT_EQ(t.files[0].path, (Path{"sample", "text_file2.txt"}));
    EXPECT_EQ(t.files[0].size, 25);
    EXPECT_TRUE(t.files[1].pad);
    EXPECT_EQ(t.files[1].size, 16359);
    EXPECT_EQ(t.files[1].offset, 25);
    EXPECT_EQ(t.files[2].path, (Path{"sample", "text_file.txt"}));
    EXPECT_EQ(t.files[2].offset, 16384);
    EXPECT_FALSE(t.files[2].pad);
    EXPECT_EQ(t.piece_size(0), 16384);
    EXPECT_EQ(t.piece_size(1), 20);
    EXPECT_EQ(t.comment, "sample comment");
    EXPECT_EQ(t.creation_date, 1418787579);
    // announce-list wins over announce; one URL per tier here.
    EXPECT_EQ(t.trackers, (std::vector<Tier>{{"udp://tracker.opentracker.com:80/announce"},
                                             {"tracker.publicbt.com:80/announce"}}));
}

TEST(Metainfo, V1FilesInFolders) {
    const auto t = load("creation_date.torrent");
    ASSERT_EQ(t.files.size(), 2u);
    EXPECT_EQ(t.files[0].path, (Path{"temp", "foo", "bar.txt"}));
    EXPECT_EQ(t.files[1].path, (Path{"temp", "foo", "var.txt"}));
    EXPECT_EQ(t.files[1].joined_path(), "temp/foo/var.txt");
    EXPECT_EQ(t.files[1].offset, 425);
    EXPECT_EQ(t.creation_date, 1234567);
    EXPECT_FALSE(load("no_creation_date.torrent").creation_date);
}

TEST(Metainfo, Symlink) {
    const auto t = load("symlink1.torrent");
    ASSERT_EQ(t.files.size(), 2u);
    EXPECT_FALSE(t.files[0].symlink);
    EXPECT_TRUE(t.files[1].symlink);
    EXPECT_EQ(t.files[1].path, (Path{"temp", "a", "b", "foo"}));
    EXPECT_EQ(t.files[1].symlink_target, (Path{"a", "b", "bar"}));
    EXPECT_EQ(t.files[1].size, 0);  // symlinks carry no data even when a length is given
    EXPECT_EQ(t.total_size, 425);
}

TEST(Metainfo, V2Only) {
    const auto t = load("v2_only.torrent");
    EXPECT_FALSE(t.has_v1());
    EXPECT_EQ(t.info_hash_v2->hex(),
              "95e04d0c4bad94ab206efa884666fd89777dbe4f7bd9945af1829037a85c6192");
    EXPECT_EQ(t.name, "test1MB");
    EXPECT_FALSE(t.multi_file);
    EXPECT_EQ(t.piece_length, 65536);
    EXPECT_EQ(t.num_pieces, 16);
    ASSERT_EQ(t.files.size(), 1u);
    EXPECT_EQ(t.files[0].path, Path{"test1MB"});
    ASSERT_TRUE(t.files[0].pieces_root);
    EXPECT_EQ(t.files[0].pieces_root->hex(),
              "515ea9181744b817744ded9d2e8e9dc6a8450c0b0c52e24b5077f302ffbd9008");
    EXPECT_EQ(t.files[0].piece_layer.size(), 16u);
    EXPECT_EQ(t.v1_hashes_at, 0u);
    EXPECT_EQ(t.trackers, (std::vector<Tier>{{"http://example.com/announce"}}));
}

TEST(Metainfo, V2WithoutPieceLayers) {
    // The layers can come from peers later; the torrent is still usable.
    const auto t = load("v2_no_piece_layers.torrent");
    ASSERT_EQ(t.files.size(), 1u);
    EXPECT_TRUE(t.files[0].pieces_root);
    EXPECT_TRUE(t.files[0].piece_layer.empty());
}

TEST(Metainfo, V2OnlyGetsSyntheticPadFiles) {
    // libtorrent lists: stress_test0 (aligned), stress_test1, .pad/1048376, stress_test2,
    // .pad/1048176, with these offsets and roots.
    const auto t = load("v2_multiple_files.torrent");
    EXPECT_EQ(t.piece_length, 1048576);
    EXPECT_EQ(t.total_size, 3147825152);
    EXPECT_EQ(t.num_pieces, 3002);
    ASSERT_EQ(t.files.size(), 5u);
    const struct {
        Path path;
        std::int64_t size, offset;
        bool pad;
        const char* root;
    } expected[] = {
        {{"test", "stress_test0"},
         1048576000,
         0,
         false,
         "6dae0824f0dc38043079dfacce900cb7b24f308868c2dff3b23f9af2f218903d"},
        {{"test", "stress_test1"},
         1048576200,
         1048576000,
         false,
         "5b9566a4d5301882644c1c6a083cb05f07f6370f887d35424a3d50e6d0559a3b"},
        {{"test", ".pad", "1048376"}, 1048376, 2097152200, true, nullptr},
        {{"test", "stress_test2"},
         1048576400,
         2098200576,
         false,
         "a26b08dca3d9a762ced3bb56dd7a78e7fb9acefaea5a2a41de44c5c9169325f2"},
        {{"test", ".pad", "1048176"}, 1048176, 3146776976, true, nullptr},
    };
    for (std::size_t i = 0; i < 5; ++i) {
        SCOPED_TRACE(i);
        EXPECT_EQ(t.files[i].path, expected[i].path);
        EXPECT_EQ(t.files[i].size, expected[i].size);
        EXPECT_EQ(t.files[i].offset, expected[i].offset);
        EXPECT_EQ(t.files[i].pad, expected[i].pad);
        if (expected[i].root) {
            ASSERT_TRUE(t.files[i].pieces_root);
            EXPECT_EQ(t.files[i].pieces_root->hex(), expected[i].root);
        } else {
            EXPECT_FALSE(t.files[i].pieces_root);
        }
    }
}

TEST(Metainfo, Hybrid) {
    const auto t = load("v2_hybrid.torrent");
    EXPECT_EQ(t.info_hash_v1->hex(), "514c76c1f27ec61ca8b37851bcd1cbf0b26cf120");
    EXPECT_EQ(t.info_hash_v2->hex(),
              "518fbaf39b37020c896e8768a967da6d76bbd5ef7a02c761021b65a72c6cfa11");
    EXPECT_EQ(t.num_pieces, 1715);
    EXPECT_EQ(t.info_bytes.substr(t.v1_hashes_at - 12, 12), "pieces34300:");  // 1,715 hashes
    EXPECT_EQ(t.total_size, 899153920);
    ASSERT_EQ(t.files.size(), 18u);
    // From libtorrent's file_storage: the second file, its pad, and where the third starts.
    EXPECT_EQ(t.files[1].size, 280339);
    EXPECT_TRUE(t.files[1].pad);
    EXPECT_EQ(t.files[2].path,
              (Path{"bittorrent-v1-v2-hybrid-test", "Spaceballs-StateOfTheArt.avi"}));
    EXPECT_EQ(t.files[2].offset, 6815744);
    EXPECT_TRUE(t.files[2].executable);
    EXPECT_EQ(t.files[12].path, (Path{"bittorrent-v1-v2-hybrid-test", "readme.txt"}));
    EXPECT_EQ(t.files[12].offset, 755499008);
    for (const auto& f : t.files) {
        SCOPED_TRACE(f.joined_path());
        EXPECT_EQ(f.pad, !f.pieces_root.has_value());
        if (!f.pad) {
            EXPECT_EQ(f.offset % t.piece_length, 0);
        }
    }
}

TEST(Metainfo, HybridWithEmptyFile) {
    const auto t = load("v2_empty_file.torrent");
    ASSERT_EQ(t.files.size(), 3u);
    EXPECT_EQ(t.files[1].path, (Path{"test", "file2"}));
    EXPECT_EQ(t.files[1].size, 0);
    EXPECT_FALSE(t.files[1].pieces_root);  // empty files have no root
    EXPECT_EQ(t.info_hash_v1->hex(), "fdc8263736f65efc8da8948f2e9f64ad92ad614a");
}

TEST(Metainfo, InfoHashOverExactInfoBytes) {
    // Root keys out of order are fine: only the info dictionary is hashed.
    auto t = with_root("7:comment1:c", "8:announce8:http://a");
    ASSERT_TRUE(t.ok()) << t.error().message;
    EXPECT_EQ(t->info_bytes, k_info);
    EXPECT_EQ(t->info_hash_v1->hex(), k_info_sha1);
    EXPECT_EQ(t->info_hash_v1->hex(), sha1(k_info).hex());
    // What is outside the info dictionary does not change the hash.
    auto other = with_root("7:comment5:other");
    ASSERT_TRUE(other.ok());
    EXPECT_EQ(other->info_hash_v1, t->info_hash_v1);
}

TEST(Metainfo, PrivateAndSource) {
    auto t = with_root("", "", k_private_info);
    ASSERT_TRUE(t.ok()) << t.error().message;
    EXPECT_TRUE(t->is_private);
    EXPECT_EQ(t->source, "SHOAL");
    EXPECT_EQ(t->info_hash_v1->hex(), k_private_info_sha1);
    auto not_private = with_root("", "",
                                 "d6:lengthi425e4:name4:temp12:piece lengthi16384e"
                                 "6:pieces20:" +
                                     std::string(20, 'a') + "7:privatei0ee");
    ASSERT_TRUE(not_private.ok());
    EXPECT_FALSE(not_private->is_private);
    auto plain = with_root("");
    EXPECT_FALSE(plain->is_private);
    EXPECT_TRUE(plain->source.empty());
}

TEST(Metainfo, TextFields) {
    auto t = with_root(
        "7:comment5:plain13:comment.utf-85:utf-810:created by6:maker 13:creation datei1700000000e");
    ASSERT_TRUE(t.ok()) << t.error().message;
    EXPECT_EQ(t->comment, "utf-8");  // the .utf-8 variant is preferred
    EXPECT_EQ(t->created_by, "maker ");
    EXPECT_EQ(t->creation_date, 1700000000);
    auto none = with_root("");
    EXPECT_TRUE(none->comment.empty());
    EXPECT_TRUE(none->created_by.empty());
    EXPECT_FALSE(none->creation_date);
}

TEST(Metainfo, AnnounceOnly) {
    auto t = with_root("8:announce23:  http://t.example/ann\n");
    ASSERT_TRUE(t.ok()) << t.error().message;
    EXPECT_EQ(t->trackers, (std::vector<Tier>{{"http://t.example/ann"}}));
    // Whitespace around the URL, as in libtorrent's whitespace_url.torrent.
    EXPECT_EQ(load("whitespace_url.torrent").trackers,
              (std::vector<Tier>{{"udp://test.com/announce"}}));
}

TEST(Metainfo, AnnounceListTiersWin) {
    auto t = with_root(
        "8:announce10:http://old"
        "13:announce-listll5:http15:http2el5:http3e"  // two tiers
        "le"                                          // an empty tier: dropped
        "i7e"                                         // not a list: skipped
        "l5:http1i3e5:http4e"                         // duplicate and non-string: dropped
        "e");
    ASSERT_TRUE(t.ok()) << t.error().message;
    EXPECT_EQ(t->trackers, (std::vector<Tier>{{"http1", "http2"}, {"http3"}, {"http4"}}));
}

// A torrent's trackers as the control layer allows them (k_max_trackers, k_max_tracker_url_bytes):
// the first 200 URLs are kept, the rest and a URL too long to be one are left out, and the
// torrent is read all the same.
TEST(Metainfo, AnnounceListKeepsAtMost200Urls) {
    auto bencoded = [](const std::string& s) { return std::to_string(s.size()) + ":" + s; };
    const std::string too_long = "http://long.example/" + std::string(k_max_tracker_url_bytes, 'a');
    std::string list = "l" + bencoded(too_long) + "e";
    for (int tier = 0; tier < 30; ++tier) {
        list += "l";
        for (int i = 0; i < 10; ++i) list += bencoded("http://t" + std::to_string(tier * 10 + i) + ".example/a");
        list += "e";
    }
    auto t = with_root("13:announce-listl" + list + "e");
    ASSERT_TRUE(t.ok()) << t.error().message;
    ASSERT_EQ(t->trackers.size(), 20u);
    std::size_t count = 0;
    for (const auto& tier : t->trackers) count += tier.size();
    EXPECT_EQ(count, k_max_trackers);
    EXPECT_EQ(t->trackers.front().front(), "http://t0.example/a");
    EXPECT_EQ(t->trackers.back().back(), "http://t199.example/a");
    // A too long `announce` is no tracker either.
    auto alone = with_root("8:announce" + bencoded(too_long));
    ASSERT_TRUE(alone.ok()) << alone.error().message;
    EXPECT_TRUE(alone->trackers.empty());
}

TEST(Metainfo, EmptyAnnounceListFallsBackToAnnounce) {
    auto t = with_root("8:announce10:http://old13:announce-listll0:el2:  ee");
    ASSERT_TRUE(t.ok()) << t.error().message;
    EXPECT_EQ(t->trackers, (std::vector<Tier>{{"http://old"}}));
    auto none = with_root("8:announce0:");
    EXPECT_TRUE(none->trackers.empty());
}

TEST(Metainfo, UrlListKeepsAtMostTheWebSeedsATorrentMayHave) {
    std::string list;
    for (int i = 0; i < 100; ++i) {
        const std::string url = "http://seed" + std::to_string(i) + ".example/";
        list += std::to_string(url.size()) + ":" + url;
    }
    auto t = with_root("", "8:url-listl" + list + "e");
    ASSERT_TRUE(t.ok()) << t.error().message;
    ASSERT_EQ(t->web_seeds.size(), k_max_web_seeds);  // a record of more would not load again
    EXPECT_EQ(t->web_seeds.front(), "http://seed0.example/");
    EXPECT_EQ(t->web_seeds.back(), "http://seed63.example/");
}

TEST(Metainfo, UrlListStringOrList) {
    auto one = with_root("", "8:url-list13:http://seed/a");
    ASSERT_TRUE(one.ok()) << one.error().message;
    EXPECT_EQ(one->web_seeds, std::vector<std::string>{"http://seed/a"});
    auto many = with_root("", "8:url-listl13:http://seed/a0:i5e13:http://seed/b13:http://seed/ae");
    ASSERT_TRUE(many.ok()) << many.error().message;
    EXPECT_EQ(many->web_seeds, (std::vector<std::string>{"http://seed/a", "http://seed/b"}));
    // libtorrent's own cases: duplicates collapse in order, empty and odd entries vanish.
    EXPECT_EQ(load("duplicate_web_seeds.torrent").web_seeds,
              (std::vector<std::string>{"http://foobar.com/foo", "http://foobar.com/foobar",
                                        "http://foobar.com/bar"}));
    EXPECT_EQ(load("url_seed.torrent").web_seeds, std::vector<std::string>{"http://test.com/file"});
    EXPECT_TRUE(load("url_list.torrent").web_seeds.empty());
    EXPECT_TRUE(load("url_list2.torrent").web_seeds.empty());
    EXPECT_TRUE(load("url_list3.torrent").web_seeds.empty());
}

TEST(Metainfo, TrailingWhitespaceOnly) {
    const std::string torrent = "d4:info" + k_info + "e";
    EXPECT_TRUE(parse_torrent(torrent + "\n").ok());
    EXPECT_TRUE(parse_torrent(torrent + "\r\n \t").ok());
    auto garbage = parse_torrent(torrent + "x");
    ASSERT_FALSE(garbage.ok());
    EXPECT_NE(garbage.error().message.find("trailing data"), std::string::npos);
}

TEST(Metainfo, ErrorsNameTheFileOffset) {
    // The info dictionary starts at byte 7; its second 'name' key at 33.
    auto t = parse_torrent(
        "d4:infod6:lengthi425e4:name4:temp4:name4:temp12:piece lengthi16384e"
        "6:pieces20:" +
        std::string(20, 'a') + "ee");
    ASSERT_FALSE(t.ok());
    EXPECT_NE(t.error().message.find("at byte 33: duplicate dictionary key"), std::string::npos)
        << t.error().message;
}

TEST(Metainfo, UnsortedKeysAreAccepted) {
    // 'name' before 'length' in the info dictionary, 'path' before 'length' in a file entry:
    // other clients open such torrents, and the info-hash is taken over the bytes as they are.
    const std::string info = "d5:filesld4:pathl1:be6:lengthi5eed6:lengthi6e4:pathl1:aeee"
                             "4:name4:temp6:pieces20:" + std::string(20, 'a') +
                             "12:piece lengthi16384ee";
    auto t = with_root("", "", info);
    ASSERT_TRUE(t.ok()) << t.error().message;
    EXPECT_EQ(t->info_bytes, info);
    EXPECT_EQ(t->info_hash_v1->hex(), sha1(info).hex());
    ASSERT_EQ(t->files.size(), 2u);
    EXPECT_EQ(t->files[0].path, (Path{"temp", "b"}));
    EXPECT_EQ(t->files[0].size, 5);
    EXPECT_EQ(t->files[1].offset, 5);
    // libtorrent's unordered.torrent: hashed as found, not re-encoded.
    const auto unordered = load("unordered.torrent");
    EXPECT_EQ(unordered.info_hash_v1->hex(), sha1(unordered.info_bytes).hex());
    EXPECT_EQ(unordered.info_bytes.substr(0, 12), "d4:name4:tem");
}

TEST(Metainfo, V2FileTreeOutOfOrderIsRefused) {
    // The tree's order is the files' order, and with it the pieces': sorted or not, two
    // readers would disagree on it. libtorrent refuses this torrent too.
    auto t = load_torrent(k_corpus + "v2_unordered_files.torrent");
    ASSERT_FALSE(t.ok());
    EXPECT_NE(t.error().message.find("the 'file tree' lists names out of order"),
              std::string::npos)
        << t.error().message;
}

TEST(Metainfo, Limits) {
    TorrentLimits limits;
    limits.max_pieces = 1;
    auto two_pieces = with_root("", "",
                                "d6:lengthi16385e4:name4:temp12:piece lengthi16384e"
                                "6:pieces40:" +
                                    std::string(40, 'a') + "e");
    ASSERT_TRUE(two_pieces.ok()) << two_pieces.error().message;
    auto refused = parse_torrent(
        "d4:infod6:lengthi16385e4:name4:temp12:piece lengthi16384e"
        "6:pieces40:" +
            std::string(40, 'a') + "ee",
        limits);
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().message.find("too many pieces"), std::string::npos);

    limits = {};
    limits.max_file_bytes = 10;
    EXPECT_NE(parse_torrent("d4:info" + k_info + "e", limits).error().message.find("too large"),
              std::string::npos);
    EXPECT_NE(load_torrent(k_corpus + "base.torrent", limits).error().message.find("too large"),
              std::string::npos);

    limits = {};
    limits.max_files = 1;
    auto many = load_torrent(k_corpus + "sample.torrent", limits);
    ASSERT_FALSE(many.ok());
    EXPECT_NE(many.error().message.find("too many files"), std::string::npos);
}

// Found by fuzz_metainfo: a v1 torrent without 'pieces' dereferenced a null pointer.
TEST(Metainfo, MissingPieces) {
    auto t = parse_torrent(
        "d4:infod6:lengthi1000e4:name8:file.bin12:piece lengthi16384e"
        "6:piekes20:" +
        std::string(20, 'q') + "ee");
    ASSERT_FALSE(t.ok());
    EXPECT_NE(t.error().message.find("invalid or missing 'pieces'"), std::string::npos);
}

TEST(Metainfo, LoadErrors) {
    auto missing = load_torrent("/nonexistent/file.torrent");
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.error().message.find("cannot open '/nonexistent/file.torrent'"),
              std::string::npos);
    EXPECT_FALSE(parse_torrent("").ok());
    EXPECT_FALSE(parse_torrent("de").ok());
    EXPECT_NE(parse_torrent("d4:infodee").error().message.find("no 'name'"), std::string::npos);
}

}  // namespace
}  // namespace shoal
