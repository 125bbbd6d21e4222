// Shoal against libtorrent's own test torrents, with libtorrent 2.0.8's verdicts as the
// expectation table (SHOAL_SHARED_TESTDATA/libtorrent-test-torrents.tsv). Where Shoal
// deliberately differs, the difference is listed in differences.tsv beside it, with its reason.

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

// Where Shoal deliberately differs from libtorrent: SHOAL_SHARED_TESTDATA/differences.tsv,
// one line per torrent with Shoal's refusal ("-" when Shoal accepts it too) and the reason.
struct Difference {
    std::string message;  // a substring of Shoal's error, or "-"
    std::string reason;
};

std::vector<std::string> split_tabs(const std::string& line) {
    std::vector<std::string> cols;
    std::stringstream ss(line);
    std::string col;
    while (std::getline(ss, col, '\t'))
        cols.push_back(col);
    return cols;
}

const std::map<std::string, Difference>& differences() {
    static const std::map<std::string, Difference> table = [] {
        std::map<std::string, Difference> out;
        std::ifstream in(std::string(SHOAL_SHARED_TESTDATA) + "/differences.tsv");
        std::string line;
        std::getline(in, line);  // header
        while (std::getline(in, line)) {
            if (line.empty())
                continue;
            auto cols = split_tabs(line);
            cols.resize(3);
            out[cols[0]] = {cols[1], cols[2]};
        }
        return out;
    }();
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
        {"invalid_file_size.torrent", "invalid file length in torrent"},  // a list, not an int
        {"invalid_info.torrent", "the torrent's 'info' is not a dictionary"},
        {"invalid_name.torrent", "the torrent has no 'name'"},  // 'name' is not a string
        {"invalid_path_list.torrent", "a file's 'path' holds a non-string"},
        {"invalid_piece_len.torrent", "invalid or missing 'piece length'"},
        {"invalid_pieces.torrent", "invalid or missing 'pieces'"},
        {"invalid_symlink.torrent", "a file's 'path' holds a non-string"},
        {"many_pieces.torrent", "too many pieces in the torrent"},
        {"missing_path_list.torrent", "a file in the torrent has no 'path'"},
        {"missing_piece_len.torrent", "invalid or missing 'piece length'"},
        {"negative_file_size.torrent", "invalid file length in torrent"},
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
        {"v2_mismatching_metadata.torrent", "the v1 and v2 file lists of this hybrid torrent"},
        {"v2_missing_file_root_invalid_symlink.torrent", "no valid 'pieces root'"},
        {"v2_no_power2_piece.torrent", "must be a power of two of at least 16 KiB"},
        {"v2_non_multiple_piece_layer.torrent", "a piece layer has the wrong length for its file"},
        {"v2_overlong_integer.torrent", "integer with leading zero"},
        {"v2_piece_layer_invalid_file_hash.torrent", "'piece layers' key is not a 32-byte"},
        {"v2_piece_size.torrent", "invalid or missing 'piece length'"},
        // libtorrent refuses any key out of order in a v2 info dictionary; Shoal only where
        // the order means something.
        {"v2_unordered_files.torrent", "the 'file tree' lists names out of order"},
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
        auto cols = split_tabs(line);
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

// Same verdict and, for an accepted torrent, the same hashes, file count and piece count.
bool agrees(const Row& row, const Result<TorrentInfo>& t) {
    if (!t.ok())
        return !row.accepted;
    return row.accepted && (t->info_hash_v1 ? t->info_hash_v1->hex() : "-") == row.v1 &&
           (t->info_hash_v2 ? t->info_hash_v2->hex() : "-") == row.v2 &&
           static_cast<std::int64_t>(t->files.size()) == row.files && t->num_pieces == row.pieces;
}

TEST_P(LibtorrentCorpus, MatchesLibtorrent) {
    const Row& row = GetParam();
    auto t = load_torrent(k_dir + row.file);
    if (auto it = differences().find(row.file); it != differences().end()) {
        EXPECT_FALSE(agrees(row, t))
            << "listed in differences.tsv, but Shoal now agrees with libtorrent: remove the line";
        if (it->second.message == "-") {
            EXPECT_TRUE(t.ok()) << t.error().message;
        } else {
            ASSERT_FALSE(t.ok()) << "differences.tsv expects a refusal: " << it->second.reason;
            EXPECT_NE(t.error().message.find(it->second.message), std::string::npos)
                << t.error().message;
        }
        return;
    }
    if (!row.accepted) {
        ASSERT_FALSE(t.ok()) << "libtorrent refuses this torrent: " << row.note;
        const auto reason = refusals().find(row.file);
        ASSERT_NE(reason, refusals().end()) << "add Shoal's reason to refusals()";
        EXPECT_NE(t.error().message.find(reason->second), std::string::npos) << t.error().message;
        return;
    }
    ASSERT_TRUE(t.ok()) << "libtorrent accepts this torrent (if Shoal must not, say why in "
                           "differences.tsv); Shoal says: "
                        << t.error().message;
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
    for (const auto& [file, difference] : differences()) {
        EXPECT_TRUE(
            std::any_of(rows.begin(), rows.end(), [&](const Row& r) { return r.file == file; }))
            << file << " is not in the table";
        EXPECT_FALSE(difference.message.empty() || difference.reason.empty())
            << file << ": differences.tsv needs Shoal's verdict and a reason";
        EXPECT_EQ(refusals().count(file), 0u) << file << " is listed as a refusal too";
    }
}

// Shoal agrees with libtorrent on all but a few torrents, each explained in differences.tsv.
TEST(LibtorrentCorpus, AgreesOnAtLeast105) {
    const auto rows = read_rows();
    EXPECT_EQ(rows.size(), 108u);
    EXPECT_LE(differences().size(), 3u);
}

}  // namespace
}  // namespace shoal
