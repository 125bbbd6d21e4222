// Our own malformed torrents (tests/data/malformed, made by make_malformed.py), one fault each:
// those listed in expected.tsv must be refused with the message given there, on a single line;
// those listed in sanitized.tsv (unsafe, clashing or merely untidy names and keys) load, with
// their files under the safe paths given there.

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "metainfo/torrent_info.hpp"

namespace shoal {
namespace {

const std::string k_dir = std::string(SHOAL_TEST_DATA) + "/malformed/";

struct Expectation {
    std::string file;
    std::string message;
};

void PrintTo(const Expectation& e, std::ostream* os) {
    *os << e.file;
}

std::vector<Expectation> read_expectations(const std::string& table = "expected.tsv") {
    std::vector<Expectation> out;
    std::ifstream in(k_dir + table);
    std::string line;
    std::getline(in, line);  // header
    while (std::getline(in, line)) {
        const auto tab = line.find('\t');
        if (line.empty() || tab == std::string::npos)
            continue;
        out.push_back({line.substr(0, tab), line.substr(tab + 1)});
    }
    return out;
}

std::string test_name(const testing::TestParamInfo<Expectation>& info) {
    std::string name = info.param.file.substr(0, info.param.file.rfind('.'));
    std::replace_if(
        name.begin(), name.end(),
        [](char c) { return !std::isalnum(static_cast<unsigned char>(c)); }, '_');
    return name;
}

class MalformedTorrent : public testing::TestWithParam<Expectation> {};

TEST_P(MalformedTorrent, IsRefusedWithItsMessage) {
    const Expectation& e = GetParam();
    ASSERT_TRUE(std::filesystem::exists(k_dir + e.file)) << "regenerate with make_malformed.py";
    auto t = load_torrent(k_dir + e.file);
    ASSERT_FALSE(t.ok()) << e.file << " was accepted";
    const std::string& message = t.error().message;
    EXPECT_NE(message.find(e.message), std::string::npos) << message;
    EXPECT_EQ(message.find_first_of("\r\n"), std::string::npos) << "not one line: " << message;
    EXPECT_NE(message.back(), '.') << message;
    // The same fault, handed over in memory, gives the same reason without the file name.
    std::ifstream in(k_dir + e.file, std::ios::binary);
    const std::string data((std::istreambuf_iterator<char>(in)), {});
    auto parsed = parse_torrent(data);
    ASSERT_FALSE(parsed.ok());
    EXPECT_NE(parsed.error().message.find(e.message), std::string::npos) << parsed.error().message;
}

INSTANTIATE_TEST_SUITE_P(ExpectedTsv, MalformedTorrent, testing::ValuesIn(read_expectations()),
                         test_name);

class SanitizedTorrent : public testing::TestWithParam<Expectation> {};

TEST_P(SanitizedTorrent, LoadsWithSafePaths) {
    const Expectation& e = GetParam();
    auto t = load_torrent(k_dir + e.file);
    ASSERT_TRUE(t.ok()) << t.error().message;
    std::string paths;
    for (const auto& f : t->files) {
        if (!f.pad)
            paths += (paths.empty() ? "" : " | ") + f.joined_path();
    }
    EXPECT_EQ(paths, e.message);
}

INSTANTIATE_TEST_SUITE_P(SanitizedTsv, SanitizedTorrent,
                         testing::ValuesIn(read_expectations("sanitized.tsv")), test_name);

TEST(MalformedTorrents, EveryFileHasAnExpectation) {
    std::set<std::string> listed;
    for (const auto& e : read_expectations())
        listed.insert(e.file);
    for (const auto& e : read_expectations("sanitized.tsv")) {
        EXPECT_TRUE(listed.insert(e.file).second) << e.file << " is in both tables";
    }
    EXPECT_GE(listed.size(), 40u);
    for (const auto& entry : std::filesystem::directory_iterator(k_dir)) {
        const std::string file = entry.path().filename().string();
        if (entry.path().extension() != ".torrent" || file.starts_with("control_"))
            continue;
        EXPECT_TRUE(listed.count(file)) << file << " is missing from expected.tsv";
    }
}

// The controls are built by the same script helpers as the faults; libtorrent 2.0.8 accepts
// them with these hashes, so a malformed case fails for its fault and not for the helpers.
struct Control {
    const char* file;
    const char* v1;
    const char* v2;
    std::size_t files;
    std::int64_t pieces;
};

TEST(MalformedTorrents, ControlsAreValid) {
    const Control controls[] = {
        {"control_v1_single.torrent", "62e925369d2bda53405f1ea65cc0d9624f35b4ba", "-", 1, 1},
        {"control_v1_multi.torrent", "5b89c8649271bcc25f01e6c784b43d1b2727e1b2", "-", 2, 2},
        {"control_v2_layers.torrent", "-",
         "045b8ff7e84447ff9b6c765bb402cb634f850c63477b59087202b850c3c49ecf", 2, 3},
        {"control_hybrid.torrent", "77833af39943480cf930875ebedde1e4c2eef2ec",
         "e5154c914f5ea8813a4925c5667d49bcbfb0a5b074527258d6d14f55d5407170", 1, 1},
    };
    for (const auto& c : controls) {
        SCOPED_TRACE(c.file);
        auto t = load_torrent(k_dir + c.file);
        ASSERT_TRUE(t.ok()) << t.error().message;
        EXPECT_EQ(t->info_hash_v1 ? t->info_hash_v1->hex() : "-", c.v1);
        EXPECT_EQ(t->info_hash_v2 ? t->info_hash_v2->hex() : "-", c.v2);
        EXPECT_EQ(t->files.size(), c.files);
        EXPECT_EQ(t->num_pieces, c.pieces);
    }
}

}  // namespace
}  // namespace shoal
