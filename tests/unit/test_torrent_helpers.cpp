// The small helpers a torrent is assembled from: file priorities to piece priorities, the
// bytes wanted and done, and the start-up check of the data on disk.
#include <gtest/gtest.h>

#include "creation/create_torrent.hpp"
#include "session/torrent_disk_jobs.hpp"
#include "session/torrent_report.hpp"
#include "swarm/file_priorities.hpp"
#include "test_files.hpp"

using namespace shoal;

namespace {

constexpr std::int64_t k_piece = 16384;

// Three files: a (1.5 pieces), b (1 piece), c (0.25 piece), v1 so files share pieces.
struct Share {
    test::TempDir dir;
    TorrentInfo info;
    Share() {
        test::write_file(dir.path() / "share" / "a.bin", 3 * k_piece / 2, 1);
        test::write_file(dir.path() / "share" / "b.bin", k_piece, 2);
        test::write_file(dir.path() / "share" / "c.bin", k_piece / 4, 3);
        CreateOptions options;
        options.format = TorrentFormat::v1;
        options.piece_length = k_piece;
        info = create_torrent(dir.path() / "share", options).value().info;
    }
    std::size_t file(const std::string& name) const {
        for (std::size_t i = 0; i < info.files.size(); ++i) {
            if (info.files[i].path.back() == name) return i;
        }
        return 0;
    }
};

}  // namespace

TEST(FilePriorities, APieceSharedByFilesTakesTheHighest) {
    Share s;
    ASSERT_EQ(s.info.num_pieces, 3);
    std::vector<int> files(s.info.files.size(), 0);
    files[s.file("b.bin")] = 6;
    // b lies in pieces 1 and 2 (after a's 1.5 pieces); a and c are skipped.
    EXPECT_EQ(piece_priorities(s.info, files), (std::vector<int>{0, 6, 6}));
    files[s.file("a.bin")] = 7;
    EXPECT_EQ(piece_priorities(s.info, files), (std::vector<int>{7, 7, 6}));
    // Files beyond the list count as normal (4).
    EXPECT_EQ(piece_priorities(s.info, {}), (std::vector<int>{4, 4, 4}));
    EXPECT_EQ(pieces_of_file(s.info, s.file("b.bin")), (std::pair<std::size_t, std::size_t>{1, 2}));
}

TEST(TorrentReport, WantedBytesCountSkippedPiecesOnlyWhenHad) {
    Share s;
    PiecePicker picker(s.info.num_pieces, s.info.piece_length, s.info.total_size);
    const std::int64_t last = s.info.total_size - 2 * k_piece;
    EXPECT_EQ(picker.wanted_bytes(), s.info.total_size);
    EXPECT_EQ(picker.had_bytes(), 0);
    picker.set_priority(0, 0);
    picker.set_priority(2, 0);
    picker.set_priority(2, 0);
    EXPECT_EQ(picker.wanted_bytes(), k_piece);
    picker.set_have(2);
    picker.set_have(2);
    EXPECT_EQ(picker.wanted_bytes(), k_piece + last);
    EXPECT_EQ(picker.had_bytes(), last);
    picker.set_priority(2, 5);  // had already: counted once
    EXPECT_EQ(picker.wanted_bytes(), k_piece + last);
    picker.set_priority(0, 1);
    EXPECT_EQ(picker.wanted_bytes(), s.info.total_size);
}

TEST(TorrentReport, AddressTextBracketsIPv6) {
    using boost::asio::ip::make_address;
    EXPECT_EQ(report::address_text({make_address("10.1.2.3"), 6881}), "10.1.2.3:6881");
    EXPECT_EQ(report::address_text({make_address("::1"), 80}), "[::1]:80");
}

TEST(TorrentDiskJobs, ChecksTheFilesOnDiskWithoutResumeData) {
    Share s;
    test::TempDir empty;
    EXPECT_EQ(disk_jobs::check_data(TorrentId{1}, s.info, empty.path(), nullptr).good, (std::vector<std::uint8_t>{0, 0, 0}));
    auto all = disk_jobs::check_data(TorrentId{1}, s.info, s.dir.path(), nullptr);
    EXPECT_EQ(all.good, (std::vector<std::uint8_t>{1, 1, 1}));
    EXPECT_FALSE(all.resumed.has_value());
    // Spoil b's first bytes: piece 1 (a's tail and b's head) fails.
    test::write_file(s.dir.path() / "share" / "b.bin", k_piece, 9);
    EXPECT_EQ(disk_jobs::check_data(TorrentId{1}, s.info, s.dir.path(), nullptr).good, (std::vector<std::uint8_t>{1, 0, 0}));
}
