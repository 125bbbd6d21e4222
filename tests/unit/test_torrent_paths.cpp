// Where a torrent's files land: unsafe names sanitized (compared with the paths libtorrent
// 2.0.8 gives for its own test torrents), clashing names renamed, and nothing ever written
// outside the save folder.

#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "bencode/node.hpp"
#include "metainfo/path_rules.hpp"
#include "metainfo/torrent_info.hpp"
#include "storage/torrent_storage.hpp"
#include "test_files.hpp"

namespace shoal {
namespace {

namespace fs = std::filesystem;
using bencode::Node;
using Paths = std::vector<std::string>;

const std::string k_corpus = std::string(SHOAL_SHARED_TESTDATA) + "/libtorrent-test-torrents/";
const std::string k_malformed = std::string(SHOAL_TEST_DATA) + "/malformed/";

TorrentInfo load(const std::string& path) {
    auto t = load_torrent(path);
    EXPECT_TRUE(t.ok()) << path << ": " << t.error().message;
    return t.ok() ? std::move(t).value() : TorrentInfo{};
}

// The joined paths of the files that exist on disk (pad files left out).
Paths disk_paths(const TorrentInfo& t) {
    Paths out;
    for (const auto& f : t.files) {
        if (!f.pad) out.push_back(f.joined_path());
    }
    return out;
}

struct File {
    Node::List path;
    std::int64_t length;
    const char* attr = nullptr;
};

// A v1 torrent named `name` holding `files`, with made-up piece hashes.
std::string v1_torrent(const std::string& name, const std::vector<File>& files) {
    Node::List list;
    std::int64_t total = 0;
    for (const auto& f : files) {
        Node::Dict entry{{"length", f.length}, {"path", f.path}};
        if (f.attr) entry["attr"] = f.attr;
        list.emplace_back(std::move(entry));
        total += f.length;
    }
    const std::int64_t pieces = (total + 16383) / 16384;
    Node::Dict info{{"files", std::move(list)},
                    {"name", name},
                    {"piece length", 16384},
                    {"pieces", std::string(static_cast<std::size_t>(pieces) * 20, 'h')}};
    return bencode::encode(Node(Node::Dict{{"info", std::move(info)}}));
}

// A v2 torrent whose file tree holds a file of `length` bytes (at most one piece) at each path.
std::string v2_torrent(const std::string& name, const std::vector<std::pair<Paths, int>>& files) {
    Node tree = Node::Dict{};
    for (const auto& [path, length] : files) {
        Node* dir = &tree;
        for (const auto& part : path) dir = &std::get<Node::Dict>(dir->v)[part];
        std::get<Node::Dict>(dir->v)[""] =
            Node::Dict{{"length", length}, {"pieces root", std::string(32, 'r')}};
    }
    Node::Dict info{{"file tree", std::move(tree)},
                    {"meta version", 2},
                    {"name", name},
                    {"piece length", 16384}};
    return bencode::encode(Node(Node::Dict{{"info", std::move(info)}}));
}

TorrentInfo parse(const std::string& data) {
    auto t = parse_torrent(data);
    EXPECT_TRUE(t.ok()) << t.error().message;
    return t.ok() ? std::move(t).value() : TorrentInfo{};
}

TEST(TorrentPaths, LibtorrentCorpusNames) {
    // libtorrent's test_torrent_info.cpp gives temp/bar, temp/abc....def/bar, temp....abc,
    // temp/foobar and _estMB for these; where it leaves a clash in place or names a file
    // after its folder, Shoal renames (see DuplicatesAreRenamed).
    const struct {
        const char* file;
        Paths paths;
    } cases[] = {
        {"absolute_filename.torrent", {"temp/abcde", "temp/foobar"}},
        {"backslash_path.torrent", {"temp/bar"}},
        {"empty_path.torrent", {"temp/_/_"}},
        {"empty_path_multi.torrent", {"temp/abcde", "temp/_", "temp/_.1"}},
        {"hidden_parent_path.torrent", {"temp/foo......bar/bar"}},
        {"invalid_directory_name.torrent", {"test2/foo", "test2/foo.1"}},
        {"invalid_filename.torrent", {"est2/f", "est2/_"}},
        {"invalid_filename2.torrent", {"est2/f", "est2/_", "est2/_.1"}},
        {"parent_path.torrent", {"temp/bar"}},
        {"slash_path.torrent", {"temp/bar"}},
        {"slash_path2.torrent", {"temp/abc....def/bar"}},
        {"slash_path3.torrent", {"temp....abc"}},
        {"symlink_filtered_path.torrent", {"temp/a/bar", "temp/a/foo"}},
        {"v2_invalid_filename.torrent", {"_estMB"}},
        {"v2_invalid_filename2.torrent", {"test/_", "test/_.1", "test/stress_test2"}},
    };
    for (const auto& c : cases) {
        SCOPED_TRACE(c.file);
        EXPECT_EQ(disk_paths(load(k_corpus + c.file)), c.paths);
    }
    const auto symlink = load(k_corpus + "symlink_filtered_path.torrent");
    ASSERT_EQ(symlink.files.size(), 2u);
    EXPECT_EQ(symlink.files[1].symlink_target, (Paths{"a", "bar"}));
}

TEST(TorrentPaths, AnUnusableTorrentNameGivesWayToTheInfoHash) {
    // libtorrent names invalid_name2.torrent ('..') after its info-hash too.
    const auto t = load(k_corpus + "invalid_name2.torrent");
    EXPECT_EQ(t.name, "b61560c2918f463768cd122b6d2fdd47b77bdb35");
    EXPECT_EQ(disk_paths(t), (Paths{t.name + "/foo/bar.txt", t.name + "/foo/var.txt"}));
    const auto v1 = parse(v1_torrent("/", {{{"a"}, 5}}));
    ASSERT_TRUE(v1.info_hash_v1);
    EXPECT_EQ(v1.name, v1.info_hash_v1->hex());
    const auto v2 = parse(v2_torrent("..", {{{"a"}, 5}, {{"b"}, 5}}));
    ASSERT_TRUE(v2.info_hash_v2);
    EXPECT_EQ(v2.name, v2.info_hash_v2->hex());
    EXPECT_EQ(disk_paths(v2), (Paths{v2.name + "/a", v2.name + "/b"}));
}

TEST(TorrentPaths, LongNamesAreCutKeepingTheirExtension) {
    const auto t = load(k_corpus + "long_name.torrent");  // a 300-byte name
    ASSERT_EQ(t.files.size(), 1u);
    EXPECT_EQ(t.name.size(), 255u);
    EXPECT_TRUE(t.name.ends_with(".23456789")) << t.name;
    EXPECT_EQ(t.files[0].path, Paths{t.name});
}

TEST(TorrentPaths, DuplicatesAreRenamed) {
    // As libtorrent does: the later copy gets ".1" before its extension.
    EXPECT_EQ(disk_paths(load(k_corpus + "duplicate_files.torrent")),
              (Paths{"temp/foo/bar.txt", "temp/foo/bar.1.txt"}));
    const auto many = disk_paths(load(k_corpus + "duplicate_files2.torrent"));  // 118 copies
    ASSERT_EQ(many.size(), 118u);
    EXPECT_EQ(many[1], "temp/foo/bar.1.txt");
    EXPECT_EQ(many[117], "temp/foo/bar.117.txt");
    EXPECT_EQ(std::set<std::string>(many.begin(), many.end()).size(), 118u);
}

TEST(TorrentPaths, RenamingNeverTakesAnotherFilesName) {
    // "a.1.txt" is taken further down the list, so the copy of "a.txt" becomes "a.2.txt".
    EXPECT_EQ(disk_paths(parse(v1_torrent(
                  "t", {{{"a.txt"}, 1}, {{"a.txt"}, 2}, {{"a.1.txt"}, 3}, {{".hidden"}, 4},
                        {{".hidden"}, 5}, {{"README"}, 6}, {{"README"}, 7}}))),
              (Paths{"t/a.txt", "t/a.2.txt", "t/a.1.txt", "t/.hidden", "t/.hidden.1", "t/README",
                     "t/README.1"}));
}

TEST(TorrentPaths, NamesDifferingOnlyInCaseAreDuplicates) {
    // One file where case is ignored (Windows, macOS, many USB drives): both would be
    // written into it.
    EXPECT_EQ(disk_paths(parse(v1_torrent(
                  "t", {{{"Readme.txt"}, 1}, {{"README.TXT"}, 2}, {{"dir", "x"}, 3},
                        {{"DIR", "x"}, 4}, {{"Dir", "y"}, 5}}))),
              (Paths{"t/Readme.txt", "t/README.1.TXT", "t/dir/x", "t/DIR/x.1", "t/Dir/y"}));
}

TEST(TorrentPaths, AFileNamedLikeAFolderIsRenamed) {
    EXPECT_EQ(disk_paths(parse(v1_torrent("t", {{{"a"}, 1}, {{"a", "b"}, 2}}))),
              (Paths{"t/a.1", "t/a/b"}));
    EXPECT_EQ(disk_paths(parse(v1_torrent("t", {{{"a", "b"}, 1}, {{"A"}, 2}}))),
              (Paths{"t/a/b", "t/A.1"}));
}

TEST(TorrentPaths, NamesThatSanitizeAlikeAreDuplicates) {
    EXPECT_EQ(disk_paths(parse(v1_torrent(
                  "t", {{{"x"}, 1}, {{"..", "x"}, 2}, {{"/x"}, 3}, {{".", "x\\"}, 4}}))),
              (Paths{"t/x", "t/x.1", "t/x.2", "t/x.3"}));
    // The same in a v2 file tree ("a/b" sorts before "ab"), padded between files.
    const auto v2 = parse(v2_torrent("t", {{{"a/b"}, 5}, {{"ab"}, 6}, {{"c"}, 7}}));
    EXPECT_EQ(disk_paths(v2), (Paths{"t/ab", "t/ab.1", "t/c"}));
    EXPECT_EQ(v2.files.size(), 6u);  // each file padded to a piece boundary
}

TEST(TorrentPaths, RenamedNamesStayWithin255Bytes) {
    const std::string name = std::string(251, 'n') + ".txt";
    const auto t = parse(v1_torrent("t", {{{name}, 1}, {{name}, 2}}));
    ASSERT_EQ(t.files.size(), 2u);
    const std::string& renamed = t.files[1].path.back();
    EXPECT_EQ(renamed, std::string(249, 'n') + ".1.txt");
}

TEST(TorrentPaths, PadFilesAreNotRenamed) {
    const auto t = parse(v1_torrent("t", {{{"a"}, 10},
                                          {{"p1"}, 16374, "p"},
                                          {{"b"}, 10},
                                          {{"p2"}, 16374, "p"},
                                          {{"c"}, 10}}));
    ASSERT_EQ(t.files.size(), 5u);
    EXPECT_EQ(t.files[1].path, (Paths{"t", ".pad", "16374"}));
    EXPECT_EQ(t.files[3].path, (Paths{"t", ".pad", "16374"}));
    EXPECT_EQ(disk_paths(t), (Paths{"t/a", "t/b", "t/c"}));
}

TEST(TorrentPaths, BitCometPadFilesArePads) {
    // pad_file.torrent names its pad "_____padding_file_" instead of flagging it; libtorrent
    // takes it for a pad file, and so does Shoal: it is never created on disk.
    const auto t = load(k_corpus + "pad_file.torrent");
    ASSERT_EQ(t.files.size(), 2u);
    EXPECT_FALSE(t.files[0].pad);
    EXPECT_TRUE(t.files[1].pad);
    EXPECT_EQ(disk_paths(t), Paths{"temp/foo/bar.txt"});
}

// Every path a loaded torrent gives is made of safe names, stays beneath the save folder
// lexically, and is the only one of its name (case ignored), not even a folder's.
void expect_contained(const TorrentInfo& t) {
    const fs::path save = "/save";
    std::set<std::string> names;
    for (const auto& f : t.files) {
        ASSERT_FALSE(f.path.empty());
        for (const auto& part : f.path) EXPECT_EQ(unsafe_component(part), std::nullopt) << part;
        for (const auto& part : f.symlink_target) EXPECT_EQ(unsafe_component(part), std::nullopt);
        const fs::path full = (save / f.joined_path()).lexically_normal();
        EXPECT_NE(full.lexically_relative(save).begin()->string(), "..") << full;
        if (f.pad) continue;
        EXPECT_TRUE(names.insert(fold_case(f.joined_path())).second) << f.joined_path();
    }
    for (const auto& f : t.files) {
        std::string folder;
        for (std::size_t i = 0; !f.pad && i + 1 < f.path.size(); ++i) {
            folder += (i ? "/" : "") + fold_case(f.path[i]);
            EXPECT_EQ(names.count(folder), 0u) << folder << " is a file and a folder";
        }
    }
}

// Writes the whole torrent beneath root/save and checks nothing appeared anywhere else.
void expect_written_inside(const TorrentInfo& t) {
    test::TempDir root;
    const fs::path save = root.path() / "save";
    {
        TorrentStorage storage(save, t);
        const std::string data(static_cast<std::size_t>(t.total_size), 'd');
        auto written = storage.write(0, data);
        ASSERT_TRUE(written.ok()) << written.error().message;
    }
    for (const auto& entry : fs::recursive_directory_iterator(root.path())) {
        const auto rel = entry.path().lexically_relative(save);
        EXPECT_FALSE(rel.empty() || rel.begin()->string() == "..") << entry.path();
    }
}

const std::vector<std::string>& hostile_torrents() {
    static const std::vector<std::string> torrents = [] {
        std::vector<std::string> out;
        const std::vector<Node::List> paths = {
            {"..", "..", "escape"},        {"/etc", "passwd"},          {"..\\..\\escape"},
            {"C:\\Windows", "x"},          {"\\\\server\\share", "x"},  {"a", "..", "..", "b"},
            {"", ".", ".."},               {std::string("nul\0byte", 8)}, {"../../../../tmp/x"},
            {std::string(300, '.')},       {"\xc0\xae\xc0\xae", "x"},    {"..."},
        };
        for (const auto& p : paths) {
            out.push_back(v1_torrent("t", {{p, 10}, {{"ok"}, 10}}));
            out.push_back(v1_torrent("..", {{p, 10}}));
        }
        for (const char* name : {"..", "/", "", ".", "../..", "/tmp/x", "a/../.."}) {
            Node::Dict info{{"length", 10},
                            {"name", name},
                            {"piece length", 16384},
                            {"pieces", std::string(20, 'h')}};
            out.push_back(bencode::encode(Node(Node::Dict{{"info", std::move(info)}})));
            out.push_back(v2_torrent(name, {{{"..", "x"}, 5}, {{"/"}, 6}, {{"..", ".."}, 7}}));
        }
        return out;
    }();
    return torrents;
}

TEST(TorrentPaths, NothingEscapesTheSaveFolder) {
    std::vector<TorrentInfo> loaded;
    for (const auto& dir : {k_corpus, k_malformed}) {
        for (const auto& entry : fs::directory_iterator(dir)) {
            if (entry.path().extension() != ".torrent") continue;
            auto t = load_torrent(entry.path().string());
            if (t.ok()) loaded.push_back(std::move(*t));
        }
    }
    for (const auto& data : hostile_torrents()) loaded.push_back(parse(data));
    EXPECT_GE(loaded.size(), 115u);
    for (const auto& t : loaded) {
        SCOPED_TRACE(t.name);
        expect_contained(t);
        if (t.total_size <= (1 << 20)) expect_written_inside(t);
    }
}

TEST(TorrentPaths, DuplicateFilesKeepTheirOwnData) {
    // Before duplicates were renamed, both files of duplicate_files.torrent were one file on
    // disk: the second write replaced the first, and reading the first gave the second's data.
    const auto t = load(k_corpus + "duplicate_files.torrent");
    ASSERT_EQ(t.files.size(), 2u);
    test::TempDir dir;
    TorrentStorage storage(dir.path(), t);
    const std::string data = std::string(425, 'A') + std::string(425, 'B');
    ASSERT_TRUE(storage.write(0, data).ok());
    std::string back(850, '\0');
    ASSERT_EQ(storage.read(0, back).status, ReadStatus::ok);
    EXPECT_EQ(back, data);
    EXPECT_EQ(test::read_file(dir.path() / "temp/foo/bar.txt"), std::string(425, 'A'));
    EXPECT_EQ(test::read_file(dir.path() / "temp/foo/bar.1.txt"), std::string(425, 'B'));
}

}  // namespace
}  // namespace shoal
