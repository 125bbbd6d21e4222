// Resume data: its encoding, and when the store trusts it instead of checking the files.
#include <gtest/gtest.h>

#include <filesystem>

#include "creation/create_torrent.hpp"
#include "session/resume_store.hpp"
#include "test_files.hpp"

namespace fs = std::filesystem;
using namespace shoal;
using test::TempDir;
using test::write_file;

namespace {

struct Shared {
    TempDir dir;
    fs::path root = dir.path() / "share";
    fs::path state = dir.path() / "state";
    TorrentInfo info;
    Shared() {
        write_file(root / "a.bin", 40000, 1);
        write_file(root / "b.bin", 70000, 2);
        CreateOptions options;
        options.piece_length = 16384;
        info = create_torrent(root, options).value().info;
    }
    std::string all_pieces() const { return std::string((info.num_pieces + 7) / 8, '\xff'); }
};

// For files this test made itself: no storage wrote them.
Result<bool> nothing_written() { return true; }

std::string have_bits(std::int64_t pieces) {
    std::string bits(static_cast<std::size_t>((pieces + 7) / 8), '\0');
    for (std::int64_t i = 0; i < pieces; i += 2) bits[static_cast<std::size_t>(i / 8)] |= static_cast<char>(0x80 >> (i % 8));
    return bits;
}

}  // namespace

TEST(ResumeData, RoundTripsAndRefusesAnotherTorrent) {
    Shared s;
    ResumeData data{"/data", have_bits(s.info.num_pieces), stamp_files(s.info, s.dir.path())};
    const std::string bytes = encode_resume_data(s.info, data);
    auto back = decode_resume_data(s.info, bytes);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(back->save_dir, "/data");
    EXPECT_EQ(back->have, data.have);
    EXPECT_EQ(back->files, data.files);

    write_file(s.dir.path() / "other" / "c.bin", 5000, 3);
    CreateOptions options;
    const TorrentInfo other = create_torrent(s.dir.path() / "other", options).value().info;
    auto refused = decode_resume_data(other, bytes);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().message, "resume data: written for another torrent");
}

TEST(ResumeData, RefusesMalformedBytes) {
    Shared s;
    for (std::string_view bad : {"", "de", "d7:versioni2ee", "li1ee", "d7:version"}) {
        EXPECT_FALSE(decode_resume_data(s.info, bad)) << bad;
    }
    ResumeData data{"/data", std::string(100, 'x'), stamp_files(s.info, s.root.parent_path())};
    auto wrong_count = decode_resume_data(s.info, encode_resume_data(s.info, data));
    ASSERT_FALSE(wrong_count);
    EXPECT_EQ(wrong_count.error().message, "resume data: wrong piece count");
}

TEST(ResumeStore, TrustsSavedPiecesWhileFilesAreUnchanged) {
    Shared s;
    ResumeStore store(s.state);
    std::string why;
    EXPECT_FALSE(store.trusted_pieces(s.info, s.dir.path(), why));
    EXPECT_EQ(why, "no resume data");

    ASSERT_TRUE(store.save(s.info, s.dir.path(), have_bits(s.info.num_pieces), 0, 0, nothing_written));
    auto have = store.trusted_pieces(s.info, s.dir.path(), why);
    ASSERT_TRUE(have) << why;
    EXPECT_EQ(*have, have_bits(s.info.num_pieces));

    // Another folder holding the same torrent has resume data of its own.
    EXPECT_FALSE(store.trusted_pieces(s.info, s.dir.path() / "elsewhere", why));
    EXPECT_EQ(why, "no resume data");
}

TEST(ResumeStore, ChangedFileTimeOrSizeMeansChecking) {
    Shared s;
    ResumeStore store(s.state);
    ASSERT_TRUE(store.save(s.info, s.dir.path(), s.all_pieces(), 0, 0, nothing_written));
    const fs::path a = s.root / "a.bin";
    const auto time = fs::last_write_time(a);
    fs::last_write_time(a, time + std::chrono::seconds(1));
    std::string why;
    EXPECT_FALSE(store.trusted_pieces(s.info, s.dir.path(), why));
    EXPECT_EQ(why, "files changed since the resume data was saved");

    fs::last_write_time(a, time);
    EXPECT_TRUE(store.trusted_pieces(s.info, s.dir.path(), why)) << why;

    fs::resize_file(s.root / "b.bin", 10);
    EXPECT_FALSE(store.trusted_pieces(s.info, s.dir.path(), why));
    fs::remove(s.root / "b.bin");
    EXPECT_FALSE(store.trusted_pieces(s.info, s.dir.path(), why));
}

TEST(ResumeStore, CorruptFileIsIgnoredAndRemoveForgets) {
    Shared s;
    ResumeStore store(s.state);
    ASSERT_TRUE(store.save(s.info, s.dir.path(), s.all_pieces(), 0, 0, nothing_written));
    const fs::path folder = s.state / "resume";
    ASSERT_EQ(std::distance(fs::directory_iterator(folder), fs::directory_iterator()), 1);
    const fs::path file = fs::directory_iterator(folder)->path();
    write_file(file, 100, 9);
    std::string why;
    EXPECT_FALSE(store.trusted_pieces(s.info, s.dir.path(), why));
    EXPECT_TRUE(why.starts_with("resume data: ")) << why;

    store.remove(s.info, s.dir.path());
    EXPECT_FALSE(fs::exists(file));
}

TEST(ResumeStore, DisabledWithoutAFolder) {
    Shared s;
    ResumeStore store{fs::path()};
    EXPECT_FALSE(store.enabled());
    EXPECT_TRUE(store.save(s.info, s.dir.path(), s.all_pieces(), 0, 0, nothing_written));
    std::string why;
    EXPECT_FALSE(store.trusted_pieces(s.info, s.dir.path(), why));
}

TEST(ResumeStore, TotalsOutliveChangedFiles) {
    Shared s;
    ResumeStore store(s.state);
    std::string why;
    std::pair<std::int64_t, std::int64_t> totals{-1, -1};
    EXPECT_FALSE(store.trusted_pieces(s.info, s.dir.path(), why, &totals));
    EXPECT_EQ(totals, (std::pair<std::int64_t, std::int64_t>{0, 0}));
    ASSERT_TRUE(store.save(s.info, s.dir.path(), s.all_pieces(), 1000, 2000, nothing_written));
    fs::resize_file(s.root / "b.bin", 10);
    // The files are checked again, but what was uploaded and downloaded stays counted.
    EXPECT_FALSE(store.trusted_pieces(s.info, s.dir.path(), why, &totals));
    EXPECT_EQ(totals, (std::pair<std::int64_t, std::int64_t>{1000, 2000}));
}

// Resume data vouches for pieces only once their data is on disk: the files are flushed
// first, and when that fails nothing is saved, so the old resume data (or none) stands.
TEST(ResumeStore, FlushesTheDataBeforeSavingAndSavesNothingWhenThatFails) {
    Shared s;
    ResumeStore store(s.state);
    std::string why;
    int flushes = 0;
    bool saved_before_flush = false;
    auto flush = [&]() -> Result<bool> {
        ++flushes;
        saved_before_flush = store.trusted_pieces(s.info, s.dir.path(), why).has_value();
        return true;
    };
    ASSERT_TRUE(store.save(s.info, s.dir.path(), have_bits(s.info.num_pieces), 0, 0, flush));
    EXPECT_EQ(flushes, 1);
    EXPECT_FALSE(saved_before_flush) << "resume data was written before the data was flushed";
    ASSERT_TRUE(store.trusted_pieces(s.info, s.dir.path(), why)) << why;

    auto failing = [&]() -> Result<bool> { return make_error("cannot flush 'a.bin': Input/output error"); };
    auto refused = store.save(s.info, s.dir.path(), s.all_pieces(), 0, 0, failing);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().message, "cannot flush 'a.bin': Input/output error");
    auto have = store.trusted_pieces(s.info, s.dir.path(), why);
    ASSERT_TRUE(have) << why;
    EXPECT_EQ(*have, have_bits(s.info.num_pieces)) << "the pieces of the failed save were recorded";
    for (const auto& entry : fs::directory_iterator(s.state / "resume")) {
        EXPECT_EQ(entry.path().extension(), ".resume") << "a temporary file was left behind";
    }
}
