// Shoal against libtorrent's own test torrents, with libtorrent 2.0.8's verdicts as the
// expectation table (SHOAL_SHARED_TESTDATA/libtorrent-test-torrents.tsv). Where Shoal
// deliberately differs, the difference is listed below with its reason.

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "metainfo/torrent_info.hpp"

namespace shoal {
namespace {

const std::string k_dir = std::string(SHOAL_SHARED_TESTDATA) + "/libtorrent-test-torrents/";
const std::string k_table = std::string(SHOAL_SHARED_TESTDATA) + "/libtorrent-test-torrents.tsv";

struct Row {
    std::string file;
    bool accepted = false;
    std::string v1;  // "-" when absent
    std::string v2;
    std::int64_t files = 0;
    std::int64_t pieces = 0;
    std::string note;
};

struct Exception {
    std::string message;  // a substring of Shoal's error
    std::string reason;   // why Shoal refuses what libtorrent accepts
};

// Torrents libtorrent accepts and Shoal refuses on purpose.
const std::map<std::string, Exception>& exceptions() {
    // libtorrent rewrites these paths into something else and carries on; Shoal refuses,
    // because the rewritten name is not what the creator meant and the raw one could escape
    // the save folder or clobber another file.
    const std::string separator = "a path separator inside a file name";
    const std::string parent = "a '..' path component";
    const std::string empty = "an empty path component";
    const std::string unsorted = "dictionary keys are not sorted";
    const std::string bad_layer = "a piece layer does not match its file's 'pieces root'";
    static const std::map<std::string, Exception> table = {
        {"absolute_filename.torrent", {separator, "file path '/foobar' is absolute"}},
        {"backslash_path.torrent", {separator, "'\\' path components (a separator on Windows)"}},
        {"empty_path.torrent", {empty, "file path made of empty names"}},
        {"empty_path_multi.torrent", {empty, "file paths that are one empty name"}},
        {"hidden_parent_path.torrent", {separator, "'foo/../../../bar' hides '..' in a name"}},
        {"invalid_directory_name.torrent", {separator, "directory names '/' and '\\'"}},
        {"invalid_filename.torrent", {separator, "torrent name '\\est2' holds a separator"}},
        {"invalid_filename2.torrent", {separator, "torrent name '\\est2' holds a separator"}},
        {"invalid_name2.torrent", {parent, "torrent name '..' is the parent folder"}},
        {"long_name.torrent",
         {"a file name longer than 255 bytes", "a name no common file system can store"}},
        {"parent_path.torrent", {parent, "file path climbs out with '..'"}},
        {"slash_path.torrent", {separator, "file path components '/'"}},
        {"slash_path2.torrent", {separator, "'abc/../../def' hides '..' in a name"}},
        {"slash_path3.torrent", {separator, "torrent name 'temp/../../abc' escapes the folder"}},
        {"symlink_filtered_path.torrent", {separator, "file and symlink paths through '/'"}},
        {"v2_invalid_filename.torrent", {separator, "v2 torrent name holds a '/'"}},
        {"v2_invalid_filename2.torrent", {separator, "v2 file tree names '//' and '\\'"}},
        // Shoal hashes the info bytes as found, but any tool that decodes and re-encodes the
        // dictionary writes its keys sorted and gets another info-hash: only a canonical
        // info dictionary has one hash every client reproduces.
        {"unordered.torrent", {unsorted, "'info' keys out of order"}},
        {"pad_file.torrent", {unsorted, "file entries list 'path' before 'length'"}},
        {"pad_file_no_path.torrent", {unsorted, "file entries list 'path' before 'length'"}},
        // A layer that does not hash to its root cannot verify any piece; libtorrent drops
        // it and fetches hashes from peers, Shoal tells the user the file is damaged.
        {"v2_invalid_piece_layer_root.torrent", {bad_layer, "layer hashes to another root"}},
        {"v2_invalid_root_hash.torrent", {bad_layer, "pieces root does not match the layer"}},
    };
    return table;
}

// Keeps parameterised test output readable.
void PrintTo(const Row& row, std::ostream* os) {
    *os << row.file;
}

// What Shoal says about each torrent libtorrent also refuses: a refusal for the wrong reason
// would hide a bug. Where the first fault Shoal meets is not the one libtorrent names, the
// comment says what else is wrong with the file.
const std::map<std::string, std::string>& refusals() {
    static const std::map<std::string, std::string> table = {
        {"bad_name.torrent", "duplicate dictionary key"},                 // two 'name' keys
        {"invalid_file_size.torrent", "dictionary keys are not sorted"},  // before its bad length
        {"invalid_info.torrent", "the torrent's 'info' is not a dictionary"},
        {"invalid_name.torrent", "the torrent has no 'name'"},  // 'name' is not a string
        {"invalid_path_list.torrent", "a file's 'path' holds a non-string"},
        {"invalid_piece_len.torrent", "invalid or missing 'piece length'"},
        {"invalid_pieces.torrent", "invalid or missing 'pieces'"},
        {"invalid_symlink.torrent", "a file's 'path' holds a non-string"},
        {"many_pieces.torrent", "too many pieces in the torrent"},
        {"missing_path_list.torrent", "a file in the torrent has no 'path'"},
        {"missing_piece_len.torrent", "invalid or missing 'piece length'"},
        {"negative_file_size.torrent", "dictionary keys are not sorted"},  // before its bad length
        {"negative_piece_len.torrent", "invalid or missing 'piece length'"},
        {"negative_size.torrent", "invalid file length in torrent"},
        {"no_files.torrent", "torrent lists no files"},
        {"no_name.torrent", "the torrent has no 'name'"},
        {"string.torrent", "the torrent file is not a bencoded dictionary"},
        {"unaligned_pieces.torrent", "'pieces' is 24 bytes but the files need 1 SHA-1 hashes"},
        // The v1 list has no pad files, so its pieces do not line up with the v2 files.
        {"v2_bad_file_alignment.torrent", "'pieces' is 60040 bytes but the files need 3003"},
        {"v2_deep_recursion.torrent", "nesting depth exceeded"},
        // Besides the empty name, the file ends with a stray 'e'.
        {"v2_empty_filename.torrent", "unexpected trailing data"},
        {"v2_invalid_file.torrent", "the 'file tree' holds a non-dictionary"},
        {"v2_invalid_pad_file.torrent", "has the pad attribute set"},
        {"v2_invalid_piece_layer.torrent", "a piece layer is not a string"},
        {"v2_invalid_piece_layer_size.torrent", "a piece layer has the wrong length for its file"},
        {"v2_large_file.torrent", "too many pieces in the torrent"},
        {"v2_large_offset.torrent", "too many pieces in the torrent"},
        // The v2 tree names a file '/'; the lists also disagree.
        {"v2_mismatching_metadata.torrent", "a path separator inside a file name"},
        {"v2_missing_file_root_invalid_symlink.torrent", "no valid 'pieces root'"},
        {"v2_no_power2_piece.torrent", "must be a power of two of at least 16 KiB"},
        {"v2_non_multiple_piece_layer.torrent", "a piece layer has the wrong length for its file"},
        {"v2_overlong_integer.torrent", "integer with leading zero"},
        {"v2_piece_layer_invalid_file_hash.torrent", "'piece layers' key is not a 32-byte"},
        {"v2_piece_size.torrent", "invalid or missing 'piece length'"},
        {"v2_unordered_files.torrent", "dictionary keys are not sorted"},
        {"v2_zero_root.torrent", "no valid 'pieces root'"},
        {"v2_zero_root_small.torrent", "no valid 'pieces root'"},
        {"zero.torrent", "the torrent holds no data"},
        {"zero2.torrent", "the torrent holds no data"},
    };
    return table;
}

std::vector<Row> read_rows() {
    std::vector<Row> rows;
    std::ifstream in(k_table);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
        if (line.empty())
            continue;
        std::vector<std::string> cols;
        std::stringstream ss(line);
        std::string col;
        while (std::getline(ss, col, '\t'))
            cols.push_back(col);
        cols.resize(7);
        Row r;
        r.file = cols[0];
        r.accepted = cols[1] == "accepted";
        r.v1 = cols[2];
        r.v2 = cols[3];
        r.files = r.accepted ? std::stoll(cols[4]) : 0;
        r.pieces = r.accepted ? std::stoll(cols[5]) : 0;
        r.note = cols[6];
        rows.push_back(std::move(r));
    }
    return rows;
}

std::string test_name(const testing::TestParamInfo<Row>& info) {
    std::string name = info.param.file.substr(0, info.param.file.rfind('.'));
    for (char& c : name) {
        if (!std::isalnum(static_cast<unsigned char>(c)))
            c = '_';
    }
    return name;
}

class LibtorrentCorpus : public testing::TestWithParam<Row> {};

TEST_P(LibtorrentCorpus, MatchesLibtorrent) {
    const Row& row = GetParam();
    auto t = load_torrent(k_dir + row.file);
    if (auto it = exceptions().find(row.file); it != exceptions().end()) {
        ASSERT_TRUE(row.accepted) << "an exception for a torrent libtorrent rejects anyway";
        ASSERT_FALSE(t.ok()) << "expected a refusal: " << it->second.reason;
        EXPECT_NE(t.error().message.find(it->second.message), std::string::npos)
            << t.error().message;
        return;
    }
    if (!row.accepted) {
        ASSERT_FALSE(t.ok()) << "libtorrent refuses this torrent: " << row.note;
        const auto reason = refusals().find(row.file);
        ASSERT_NE(reason, refusals().end()) << "add Shoal's reason to refusals()";
        EXPECT_NE(t.error().message.find(reason->second), std::string::npos) << t.error().message;
        return;
    }
    ASSERT_TRUE(t.ok()) << "libtorrent accepts this torrent; Shoal says: " << t.error().message;
    EXPECT_EQ(t->info_hash_v1 ? t->info_hash_v1->hex() : "-", row.v1);
    EXPECT_EQ(t->info_hash_v2 ? t->info_hash_v2->hex() : "-", row.v2);
    EXPECT_EQ(static_cast<std::int64_t>(t->files.size()), row.files);
    EXPECT_EQ(t->num_pieces, row.pieces);
}

INSTANTIATE_TEST_SUITE_P(Tsv, LibtorrentCorpus, testing::ValuesIn(read_rows()), test_name);

TEST(LibtorrentCorpus, TableIsComplete) {
    const auto rows = read_rows();
    EXPECT_GE(rows.size(), 100u);
    for (const auto& [file, reason] : refusals()) {
        EXPECT_TRUE(std::any_of(rows.begin(), rows.end(),
                                [&](const Row& r) { return r.file == file && !r.accepted; }))
            << file << " is not a refused torrent in the table";
    }
    for (const auto& [file, exception] : exceptions()) {
        EXPECT_TRUE(
            std::any_of(rows.begin(), rows.end(), [&](const Row& r) { return r.file == file; }))
            << file << " is not in the table";
    }
}

}  // namespace
}  // namespace shoal
