// Torrent creation and verification against real files in a temporary folder.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "creation/create_torrent.hpp"
#include "storage/verify.hpp"
#include "test_files.hpp"

namespace fs = std::filesystem;
using namespace shoal;
using test::TempDir;
using test::write_file;

namespace {

void flip_byte(const fs::path& path, std::int64_t offset) {
    std::fstream f(path, std::ios::binary | std::ios::in | std::ios::out);
    f.seekg(offset);
    char c = 0;
    f.read(&c, 1);
    c = static_cast<char>(c ^ 0x5a);
    f.seekp(offset);
    f.write(&c, 1);
}

std::size_t real_files(const TorrentInfo& t) {
    return static_cast<std::size_t>(
        std::count_if(t.files.begin(), t.files.end(), [](const FileEntry& f) { return !f.pad; }));
}

struct Layout {
    TempDir dir;
    fs::path root = dir.path() / "share";
    Layout() {
        write_file(root / "a.bin", 3 * 16384 + 100, 1);
        write_file(root / "sub" / "b.bin", 70000, 2);
        write_file(root / "sub" / "c.bin", 16384, 3);
        write_file(root / "empty", 0, 4);
        write_file(root / "z.bin", 5, 5);
    }
};

CreateOptions options(TorrentFormat format, std::int64_t piece = 16384) {
    CreateOptions o;
    o.format = format;
    o.piece_length = piece;
    o.include_date = false;
    return o;
}

class EachFormat : public ::testing::TestWithParam<TorrentFormat> {};

}  // namespace

TEST_P(EachFormat, CreatedTorrentDescribesTheFilesAndVerifies) {
    Layout l;
    auto created = create_torrent(l.root, options(GetParam()));
    ASSERT_TRUE(created) << created.error().message;
    const TorrentInfo& t = created->info;
    EXPECT_EQ(t.name, "share");
    EXPECT_TRUE(t.multi_file);
    EXPECT_EQ(real_files(t), 5u);
    EXPECT_EQ(t.has_v1(), GetParam() != TorrentFormat::v2);
    EXPECT_EQ(t.has_v2(), GetParam() != TorrentFormat::v1);
    // Files in byte order of their path components, as a v2 file tree stores them.
    std::vector<std::string> paths;
    for (const auto& f : t.files) {
        if (!f.pad) paths.push_back(f.joined_path());
    }
    EXPECT_EQ(paths, (std::vector<std::string>{"share/a.bin", "share/empty", "share/sub/b.bin",
                                               "share/sub/c.bin", "share/z.bin"}));
    if (t.has_v2()) {
        for (const auto& f : t.files) {
            if (f.pad) continue;
            EXPECT_EQ(f.offset % t.piece_length, 0) << f.joined_path();
            EXPECT_EQ(f.pieces_root.has_value(), f.size > 0) << f.joined_path();
            if (f.size > t.piece_length) {
                EXPECT_EQ(f.piece_layer.size(),
                          static_cast<std::size_t>((f.size + t.piece_length - 1) / t.piece_length));
            }
        }
    }
    const VerifyReport report = verify_torrent(t, l.dir.path());
    EXPECT_TRUE(report.ok());
    EXPECT_EQ(report.good_pieces, t.num_pieces);
}

TEST_P(EachFormat, CorruptByteFailsExactlyItsPiece) {
    Layout l;
    auto created = create_torrent(l.root, options(GetParam()));
    ASSERT_TRUE(created) << created.error().message;
    const TorrentInfo& t = created->info;
    const auto b = std::find_if(t.files.begin(), t.files.end(),
                                [](const FileEntry& f) { return f.joined_path() == "share/sub/b.bin"; });
    ASSERT_NE(b, t.files.end());
    flip_byte(l.root / "sub" / "b.bin", 40000);
    const VerifyReport report = verify_torrent(t, l.dir.path());
    EXPECT_FALSE(report.ok());
    EXPECT_EQ(report.bad_pieces, std::vector<std::int64_t>{(b->offset + 40000) / t.piece_length});
    EXPECT_TRUE(report.file_problems.empty());
}

TEST_P(EachFormat, MissingAndShortFilesAreReported) {
    Layout l;
    auto created = create_torrent(l.root, options(GetParam()));
    ASSERT_TRUE(created) << created.error().message;
    fs::remove(l.root / "sub" / "c.bin");
    fs::resize_file(l.root / "a.bin", 10);
    const VerifyReport report = verify_torrent(created->info, l.dir.path());
    ASSERT_EQ(report.file_problems.size(), 2u);
    EXPECT_EQ(created->info.files[report.file_problems[0].file].joined_path(), "share/a.bin");
    EXPECT_EQ(report.file_problems[0].kind, FileProblem::Kind::wrong_size);
    EXPECT_EQ(report.file_problems[0].actual_size, 10);
    EXPECT_EQ(created->info.files[report.file_problems[1].file].joined_path(), "share/sub/c.bin");
    EXPECT_EQ(report.file_problems[1].kind, FileProblem::Kind::missing);
    EXPECT_GE(report.bad_pieces.size(), 4u);
    EXPECT_LT(report.good_pieces, report.num_pieces);
}

INSTANTIATE_TEST_SUITE_P(Formats, EachFormat,
                         ::testing::Values(TorrentFormat::v1, TorrentFormat::v2, TorrentFormat::hybrid));

TEST(CreateTorrent, SingleFileIsNamedAfterTheFile) {
    TempDir dir;
    write_file(dir.path() / "movie.mkv", 100000, 7);
    auto created = create_torrent(dir.path() / "movie.mkv", options(TorrentFormat::hybrid));
    ASSERT_TRUE(created) << created.error().message;
    EXPECT_FALSE(created->info.multi_file);
    ASSERT_EQ(created->info.files.size(), 1u);
    EXPECT_EQ(created->info.files[0].path, std::vector<std::string>{"movie.mkv"});
    EXPECT_TRUE(verify_torrent(created->info, dir.path()).ok());
}

TEST(CreateTorrent, OutputIsDeterministicAcrossThreadCounts) {
    Layout l;
    auto o = options(TorrentFormat::hybrid);
    o.threads = 1;
    auto one = create_torrent(l.root, o);
    o.threads = 3;
    auto three = create_torrent(l.root, o);
    ASSERT_TRUE(one && three);
    EXPECT_EQ(one->bytes, three->bytes);
}

TEST(CreateTorrent, MetadataOptionsAreStored) {
    Layout l;
    auto o = options(TorrentFormat::hybrid);
    o.trackers = {{"http://127.0.0.1:1/a", "http://127.0.0.1:2/a"}, {"udp://127.0.0.1:3"}};
    o.web_seeds = {"http://127.0.0.1:4/files/"};
    o.is_private = true;
    o.comment = "a comment";
    o.source = "SRC";
    o.created_by = "Shoal/test";
    o.include_date = true;
    o.creation_date = 1700000000;
    auto created = create_torrent(l.root, o);
    ASSERT_TRUE(created) << created.error().message;
    const TorrentInfo& t = created->info;
    EXPECT_EQ(t.trackers, o.trackers);
    EXPECT_EQ(t.web_seeds, o.web_seeds);
    EXPECT_TRUE(t.is_private);
    EXPECT_EQ(t.comment, "a comment");
    EXPECT_EQ(t.source, "SRC");
    EXPECT_EQ(t.created_by, "Shoal/test");
    EXPECT_EQ(t.creation_date, 1700000000);
    // The source tag is inside the info dictionary, so it changes the info-hash.
    o.source = "OTHER";
    auto other = create_torrent(l.root, o);
    ASSERT_TRUE(other);
    EXPECT_NE(other->info.info_hash_v1, t.info_hash_v1);
    EXPECT_NE(other->info.info_hash_v2, t.info_hash_v2);
}

TEST(CreateTorrent, HiddenFilesOnlyWhenAsked) {
    Layout l;
    write_file(l.root / ".hidden", 10, 9);
    write_file(l.root / ".git" / "config", 10, 10);
    auto without = create_torrent(l.root, options(TorrentFormat::v1));
    ASSERT_TRUE(without);
    EXPECT_EQ(real_files(without->info), 5u);
    auto o = options(TorrentFormat::v1);
    o.include_hidden = true;
    auto with = create_torrent(l.root, o);
    ASSERT_TRUE(with);
    EXPECT_EQ(real_files(with->info), 7u);
}

TEST(CreateTorrent, RefusesWhatCannotBeShared) {
    TempDir dir;
    EXPECT_FALSE(create_torrent(dir.path() / "nothing-here", options(TorrentFormat::v1)));
    fs::create_directories(dir.path() / "empty-folder");
    EXPECT_FALSE(create_torrent(dir.path() / "empty-folder", options(TorrentFormat::v1)));
    write_file(dir.path() / "zero" / "f", 0, 1);
    auto zero = create_torrent(dir.path() / "zero", options(TorrentFormat::v1));
    ASSERT_FALSE(zero);
    EXPECT_NE(zero.error().message.find("empty"), std::string::npos);
    write_file(dir.path() / "odd" / "back\\slash", 10, 1);
    auto odd = create_torrent(dir.path() / "odd", options(TorrentFormat::v1));
    ASSERT_FALSE(odd);
    EXPECT_NE(odd.error().message.find("separator"), std::string::npos);
    // Readers rename one of two names that differ only in case (they would be one file on
    // Windows or macOS), so the torrent would not describe the folder it was made from.
    write_file(dir.path() / "case" / "Notes.txt", 10, 1);
    write_file(dir.path() / "case" / "NOTES.TXT", 10, 2);
    auto clash = create_torrent(dir.path() / "case", options(TorrentFormat::hybrid));
    ASSERT_FALSE(clash);
    EXPECT_NE(clash.error().message.find("clashes with another's when case is ignored"),
              std::string::npos)
        << clash.error().message;
    write_file(dir.path() / "ok" / "f", 10, 1);
    auto bad_piece = create_torrent(dir.path() / "ok", options(TorrentFormat::v1, 100000));
    ASSERT_FALSE(bad_piece);
    EXPECT_NE(bad_piece.error().message.find("power of two"), std::string::npos);
}

TEST(CreateTorrent, CancelStopsCreation) {
    Layout l;
    std::atomic<bool> cancel{true};
    auto o = options(TorrentFormat::hybrid);
    o.cancel = &cancel;
    auto created = create_torrent(l.root, o);
    ASSERT_FALSE(created);
    EXPECT_NE(created.error().message.find("cancelled"), std::string::npos);
}

TEST(CreateTorrent, ProgressReachesTheTotal) {
    Layout l;
    std::int64_t last_done = -1;
    std::int64_t last_total = 0;
    auto o = options(TorrentFormat::v1);
    o.progress = [&](std::int64_t done, std::int64_t total) {
        EXPECT_GE(done, last_done);
        last_done = done;
        last_total = total;
    };
    auto created = create_torrent(l.root, o);
    ASSERT_TRUE(created);
    EXPECT_EQ(last_done, created->info.total_size);
    EXPECT_EQ(last_total, created->info.total_size);
}

TEST(AutomaticPieceLength, PowerOfTwoWithSensiblePieceCount) {
    EXPECT_EQ(automatic_piece_length(1), 16384);
    EXPECT_EQ(automatic_piece_length(1024 * 1024), 16384);
    for (std::int64_t size : {std::int64_t{100} << 20, std::int64_t{1} << 30, std::int64_t{20} << 30}) {
        const std::int64_t piece = automatic_piece_length(size);
        EXPECT_EQ(piece & (piece - 1), 0);
        EXPECT_LE(size / piece, 2000);
        EXPECT_GE(size / piece, 1000);
    }
    EXPECT_EQ(automatic_piece_length(std::int64_t{1} << 42), 16 * 1024 * 1024);
}

TEST(CreateTorrent, FolderHoldingOneFile) {
    TempDir dir;
    write_file(dir.path() / "folder" / "only.bin", 50000, 3);
    // Hybrid and v1: the file stays under the folder's name.
    for (auto format : {TorrentFormat::v1, TorrentFormat::hybrid}) {
        auto created = create_torrent(dir.path() / "folder", options(format));
        ASSERT_TRUE(created) << created.error().message;
        EXPECT_EQ(created->info.name, "folder");
        EXPECT_EQ(created->info.files[0].joined_path(), "folder/only.bin");
        EXPECT_EQ(created->save_dir, dir.path());
        EXPECT_TRUE(verify_torrent(created->info, created->save_dir).ok());
    }
    // v2: a file tree with one file at its top reads as a single file everywhere.
    auto created = create_torrent(dir.path() / "folder", options(TorrentFormat::v2));
    ASSERT_TRUE(created) << created.error().message;
    EXPECT_EQ(created->info.name, "only.bin");
    EXPECT_FALSE(created->info.multi_file);
    EXPECT_EQ(created->save_dir, dir.path() / "folder");
    EXPECT_TRUE(verify_torrent(created->info, created->save_dir).ok());
}
