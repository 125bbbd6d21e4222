// Renaming a torrent's file: which names are allowed, and the rename on disk.
#include <gtest/gtest.h>

#include "creation/create_torrent.hpp"
#include "metainfo/rename.hpp"
#include "storage/torrent_storage.hpp"
#include "test_files.hpp"

namespace fs = std::filesystem;
using namespace shoal;

namespace {

struct Album {
    test::TempDir dir;
    TorrentInfo info;
    Album() {
        test::write_file(dir.path() / "album" / "a.bin", 40000, 1);
        test::write_file(dir.path() / "album" / "sub" / "b.bin", 30000, 2);
        CreateOptions options;
        options.piece_length = 16384;
        info = create_torrent(dir.path() / "album", options).value().info;
    }
    std::size_t index(const std::string& joined) const {
        for (std::size_t i = 0; i < info.files.size(); ++i) {
            if (info.files[i].joined_path() == joined) return i;
        }
        return info.files.size();
    }
};

}  // namespace

TEST(Rename, ChangesOnlyTheLastComponent) {
    Album a;
    auto renamed = with_file_renamed(a.info, a.index("album/sub/b.bin"), "c.bin");
    ASSERT_TRUE(renamed) << renamed.error().message;
    EXPECT_EQ(renamed->files[a.index("album/sub/b.bin")].joined_path(), "album/sub/c.bin");
    EXPECT_EQ(renamed->info_hash_v1, a.info.info_hash_v1);
    EXPECT_EQ(renamed->name, "album");
}

TEST(Rename, RefusesUnsafeTakenAndPadNames) {
    Album a;
    const auto b = a.index("album/sub/b.bin");
    for (const char* bad : {"", "..", "x/y", "."}) {
        EXPECT_FALSE(with_file_renamed(a.info, b, bad)) << bad;
    }
    const auto taken = with_file_renamed(a.info, a.index("album/a.bin"), "sub");
    ASSERT_FALSE(taken);
    EXPECT_EQ(taken.error().message, "'sub' is already taken in that folder");
    // Case is ignored: the save folder may be on a file system where "SUB" is "sub".
    EXPECT_FALSE(with_file_renamed(a.info, a.index("album/a.bin"), "SUB"));
    auto own_case = with_file_renamed(a.info, a.index("album/a.bin"), "A.BIN");
    ASSERT_TRUE(own_case) << own_case.error().message;
    EXPECT_EQ(own_case->files[a.index("album/a.bin")].joined_path(), "album/A.BIN");
    EXPECT_FALSE(with_file_renamed(a.info, a.info.files.size(), "z"));
    for (std::size_t i = 0; i < a.info.files.size(); ++i) {
        if (a.info.files[i].pad) {
            EXPECT_FALSE(with_file_renamed(a.info, i, "z"));
        }
    }
}

TEST(Rename, MovesTheFileOnDiskAndNeverReplacesOne) {
    Album a;
    const auto b = a.index("album/sub/b.bin");
    TorrentStorage storage(a.dir.path(), a.info);
    const std::string before = test::read_file(a.dir.path() / "album" / "sub" / "b.bin");
    auto renamed = with_file_renamed(a.info, b, "c.bin");
    ASSERT_TRUE(renamed);
    ASSERT_TRUE(storage.rename_on_disk(b, renamed->files[b].path));
    EXPECT_FALSE(fs::exists(a.dir.path() / "album" / "sub" / "b.bin"));
    EXPECT_EQ(test::read_file(a.dir.path() / "album" / "sub" / "c.bin"), before);

    // Back to b.bin while something else stands there already: refused, nothing lost.
    TorrentStorage again(a.dir.path(), *renamed);
    test::write_file(a.dir.path() / "album" / "sub" / "b.bin", 10, 3);
    auto refused = again.rename_on_disk(b, a.info.files[b].path);
    ASSERT_FALSE(refused);
    EXPECT_EQ(test::read_file(a.dir.path() / "album" / "sub" / "c.bin"), before);
    EXPECT_EQ(fs::file_size(a.dir.path() / "album" / "sub" / "b.bin"), 10u);
}

TEST(Rename, AFileNotOnDiskYetOnlyChangesItsName) {
    Album a;
    fs::remove_all(a.dir.path() / "album" / "sub");
    TorrentStorage storage(a.dir.path(), a.info);
    const auto b = a.index("album/sub/b.bin");
    auto renamed = with_file_renamed(a.info, b, "c.bin");
    ASSERT_TRUE(renamed);
    EXPECT_TRUE(storage.rename_on_disk(b, renamed->files[b].path));
    EXPECT_FALSE(fs::exists(a.dir.path() / "album" / "sub"));
}
