// Moving a torrent's files to another folder: by rename on one filesystem, by copy across
// filesystems (MoveMethod::copy takes that path here), and every failure leaving the data
// whole where it was.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <csignal>
#include <filesystem>

#include "creation/create_torrent.hpp"
#include "storage/move_files.hpp"
#include "test_files.hpp"

namespace fs = std::filesystem;
using namespace shoal;

namespace {

// The torrent of the folder `root`/album: three files, one in a subfolder.
TorrentInfo make_album(const fs::path& root) {
    test::write_file(root / "album" / "a.bin", 70'000, 1);
    test::write_file(root / "album" / "b.bin", 30'000, 2);
    test::write_file(root / "album" / "sub" / "c.bin", 50'000, 3);
    CreateOptions options;
    options.piece_length = 16384;
    return create_torrent(root / "album", options).value().info;
}

std::string contents(const TorrentInfo& info, const fs::path& root) {
    std::string out;
    for (const auto& f : info.files) {
        if (!f.pad) out += test::read_file(root / f.joined_path());
    }
    return out;
}

ino_t inode(const fs::path& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

// Files may grow to `bytes` at most for the scope (SIGXFSZ ignored: a write past it fails).
class FileSizeLimit {
public:
    explicit FileSizeLimit(rlim_t bytes) {
        old_handler_ = std::signal(SIGXFSZ, SIG_IGN);
        ::getrlimit(RLIMIT_FSIZE, &saved_);
        rlimit lowered = saved_;
        lowered.rlim_cur = bytes;
        ::setrlimit(RLIMIT_FSIZE, &lowered);
    }
    ~FileSizeLimit() {
        ::setrlimit(RLIMIT_FSIZE, &saved_);
        std::signal(SIGXFSZ, old_handler_);
    }

private:
    rlimit saved_{};
    void (*old_handler_)(int) = nullptr;
};

}  // namespace

TEST(MoveFiles, RenamesOnOneFilesystemAndRemovesTheOldFolders) {
    test::TempDir dir;
    const TorrentInfo info = make_album(dir.path() / "from");
    const std::string before = contents(info, dir.path() / "from");
    const ino_t a = inode(dir.path() / "from" / "album" / "a.bin");

    ASSERT_TRUE(move_files(info, dir.path() / "from", dir.path() / "to" / "deeper"));

    EXPECT_EQ(contents(info, dir.path() / "to" / "deeper"), before);
    EXPECT_EQ(inode(dir.path() / "to" / "deeper" / "album" / "a.bin"), a);  // renamed, not copied
    EXPECT_FALSE(fs::exists(dir.path() / "from" / "album"));
    EXPECT_TRUE(fs::exists(dir.path() / "from"));  // the save folder itself stays
}

TEST(MoveFiles, CopiesByteForByteKeepingHolesThenRemovesTheOriginals) {
    test::TempDir dir;
    const TorrentInfo info = make_album(dir.path() / "from");
    // A partly downloaded file: a hole where a piece is missing.
    {
        const fs::path sparse = dir.path() / "from" / "album" / "sub" / "c.bin";
        std::string data = test::read_file(sparse);
        fs::resize_file(sparse, 0);
        fs::resize_file(sparse, 50'000);
        FILE* f = std::fopen(sparse.c_str(), "r+b");
        ASSERT_NE(f, nullptr);
        std::fseek(f, 40'000, SEEK_SET);
        std::fwrite(data.data() + 40'000, 1, 10'000, f);
        std::fclose(f);
    }
    const std::string before = contents(info, dir.path() / "from");
    ::chmod((dir.path() / "from" / "album" / "b.bin").c_str(), 0600);
    const ino_t a = inode(dir.path() / "from" / "album" / "a.bin");

    ASSERT_TRUE(move_files(info, dir.path() / "from", dir.path() / "to", MoveMethod::copy));

    EXPECT_EQ(contents(info, dir.path() / "to"), before);
    EXPECT_NE(inode(dir.path() / "to" / "album" / "a.bin"), a);
    EXPECT_EQ(fs::status(dir.path() / "to" / "album" / "b.bin").permissions() & fs::perms::all,
              fs::perms::owner_read | fs::perms::owner_write);
    EXPECT_FALSE(fs::exists(dir.path() / "from" / "album"));
}

TEST(MoveFiles, MovesOnlyTheFilesThatExist) {
    test::TempDir dir;
    const TorrentInfo info = make_album(dir.path() / "from");
    fs::remove(dir.path() / "from" / "album" / "b.bin");  // not downloaded (or skipped)
    ASSERT_TRUE(move_files(info, dir.path() / "from", dir.path() / "to"));
    EXPECT_TRUE(fs::exists(dir.path() / "to" / "album" / "a.bin"));
    EXPECT_FALSE(fs::exists(dir.path() / "to" / "album" / "b.bin"));
    EXPECT_TRUE(fs::exists(dir.path() / "to" / "album" / "sub" / "c.bin"));
}

TEST(MoveFiles, NeverReplacesAFileInTheNewFolder) {
    test::TempDir dir;
    const TorrentInfo info = make_album(dir.path() / "from");
    const std::string before = contents(info, dir.path() / "from");
    test::write_file(dir.path() / "to" / "album" / "b.bin", 10, 9);

    auto moved = move_files(info, dir.path() / "from", dir.path() / "to");
    ASSERT_FALSE(moved);
    EXPECT_NE(moved.error().message.find((dir.path() / "to" / "album" / "b.bin").string()), std::string::npos)
        << moved.error().message;
    EXPECT_EQ(contents(info, dir.path() / "from"), before);
    EXPECT_EQ(fs::file_size(dir.path() / "to" / "album" / "b.bin"), 10u);
    EXPECT_FALSE(fs::exists(dir.path() / "to" / "album" / "a.bin"));
}

// A file where a folder should be: the files renamed before the failure go back.
TEST(MoveFiles, AFailedRenamePutsBackWhatWasMoved) {
    test::TempDir dir;
    const TorrentInfo info = make_album(dir.path() / "from");
    const std::string before = contents(info, dir.path() / "from");
    test::write_file(dir.path() / "to" / "album" / "sub", 5, 1);  // c.bin's folder is a file

    auto moved = move_files(info, dir.path() / "from", dir.path() / "to");
    ASSERT_FALSE(moved);
    EXPECT_NE(moved.error().message.find("c.bin"), std::string::npos) << moved.error().message;
    EXPECT_EQ(contents(info, dir.path() / "from"), before);
    EXPECT_FALSE(fs::exists(dir.path() / "to" / "album" / "a.bin"));
    EXPECT_FALSE(fs::exists(dir.path() / "to" / "album" / "b.bin"));
}

// The new folder cannot take the data (here: files may not grow past 40,000 bytes, so the
// 70,000-byte file cannot be copied): the copies go, the originals stay.
TEST(MoveFiles, AFailedCopyKeepsTheOriginalsAndDeletesTheCopies) {
    test::TempDir dir;
    const TorrentInfo info = make_album(dir.path() / "from");
    const std::string before = contents(info, dir.path() / "from");
    Result<bool> moved = true;
    {
        FileSizeLimit limit(40'000);
        moved = move_files(info, dir.path() / "from", dir.path() / "to", MoveMethod::copy);
    }
    ASSERT_FALSE(moved);
    EXPECT_NE(moved.error().message.find((dir.path() / "to" / "album" / "a.bin").string()), std::string::npos)
        << moved.error().message;
    EXPECT_EQ(contents(info, dir.path() / "from"), before);
    EXPECT_FALSE(fs::exists(dir.path() / "to" / "album"));
}

// A symlink planted in the new folder does not lead the files elsewhere.
TEST(MoveFiles, DoesNotFollowASymlinkInTheNewFolder) {
    test::TempDir dir;
    const TorrentInfo info = make_album(dir.path() / "from");
    const std::string before = contents(info, dir.path() / "from");
    fs::create_directories(dir.path() / "elsewhere");
    fs::create_directories(dir.path() / "to");
    fs::create_directory_symlink(dir.path() / "elsewhere", dir.path() / "to" / "album");

    EXPECT_FALSE(move_files(info, dir.path() / "from", dir.path() / "to"));
    EXPECT_TRUE(fs::is_empty(dir.path() / "elsewhere"));
    EXPECT_EQ(contents(info, dir.path() / "from"), before);
}

TEST(MoveFiles, MovingToTheSameFolderDoesNothing) {
    test::TempDir dir;
    const TorrentInfo info = make_album(dir.path() / "from");
    const std::string before = contents(info, dir.path() / "from");
    EXPECT_TRUE(move_files(info, dir.path() / "from", dir.path() / "from" / "." ));
    EXPECT_EQ(contents(info, dir.path() / "from"), before);
}
