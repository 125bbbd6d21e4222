// A torrent's files on disk: many more files than the process may hold open, empty files,
// descriptors never closed under a read or write in flight.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <thread>

#include "creation/create_torrent.hpp"
#include "metainfo/rename.hpp"
#include "storage/torrent_storage.hpp"
#include "test_files.hpp"

namespace fs = std::filesystem;
using namespace shoal;

namespace {

std::size_t open_descriptors() {
    std::size_t n = 0;
    for ([[maybe_unused]] const auto& entry : fs::directory_iterator("/proc/self/fd")) ++n;
    return n;
}

// Lowers the process's soft limit on open files for the scope, then restores it.
class DescriptorLimit {
public:
    explicit DescriptorLimit(rlim_t soft) {
        ::getrlimit(RLIMIT_NOFILE, &saved_);
        rlimit lowered = saved_;
        lowered.rlim_cur = soft;
        ok_ = ::setrlimit(RLIMIT_NOFILE, &lowered) == 0;
    }
    ~DescriptorLimit() { ::setrlimit(RLIMIT_NOFILE, &saved_); }
    bool ok() const { return ok_; }

private:
    rlimit saved_{};
    bool ok_ = false;
};

// The torrent's byte stream as the files under `root` hold it (pads are zeros).
std::string stream_of(const TorrentInfo& info, const fs::path& root) {
    std::string out;
    for (const auto& f : info.files) {
        out += f.pad ? std::string(static_cast<std::size_t>(f.size), '\0') : test::read_file(root / f.joined_path());
    }
    return out;
}

TorrentInfo make_torrent(const fs::path& folder, TorrentFormat format, std::int64_t piece_length) {
    CreateOptions options;
    options.format = format;
    options.piece_length = piece_length;
    return create_torrent(folder, options).value().info;
}

}  // namespace

// A music library has more files than the default limit of 1,024 descriptors: every file is
// written and read back while the process may hold only 256 open at once.
TEST(TorrentStorage, ThousandsOfFilesUnderALowDescriptorLimit) {
    test::TempDir dir;
    constexpr int k_files = 2000;
    for (int i = 0; i < k_files; ++i) {
        const std::size_t size = i % 100 == 7 ? 0 : 300 + static_cast<std::size_t>(i * 37 % 1500);
        test::write_file(dir.path() / "library" / ("d" + std::to_string(i / 100)) / ("t" + std::to_string(i)), size,
                         static_cast<unsigned>(i));
    }
    const TorrentInfo info = make_torrent(dir.path() / "library", TorrentFormat::v1, 16384);
    const std::string stream = stream_of(info, dir.path());
    const fs::path out = dir.path() / "out";

    DescriptorLimit limit(256);
    ASSERT_TRUE(limit.ok());
    {
        TorrentStorage storage(out, info);
        ASSERT_TRUE(storage.create_empty_files({}));
        for (std::int64_t p = 0; p < info.num_pieces; ++p) {
            const auto at = static_cast<std::size_t>(p * info.piece_length);
            const auto size = static_cast<std::size_t>(info.piece_size(p));
            auto written = storage.write(p * info.piece_length, std::span(stream.data() + at, size));
            ASSERT_TRUE(written) << "piece " << p << ": " << written.error().message;
        }
        std::string back(stream.size(), '\0');
        for (std::int64_t p = 0; p < info.num_pieces; ++p) {
            const auto at = static_cast<std::size_t>(p * info.piece_length);
            const auto read = storage.read(p * info.piece_length,
                                           std::span(back.data() + at, static_cast<std::size_t>(info.piece_size(p))));
            ASSERT_EQ(read.status, ReadStatus::ok) << "piece " << p << ", file " << read.file;
        }
        EXPECT_TRUE(back == stream) << "read back differs from what was written";
        EXPECT_LT(open_descriptors(), 256u);
    }
    for (const auto& f : info.files) {
        ASSERT_TRUE(fs::exists(out / f.joined_path())) << f.joined_path();
    }
    EXPECT_TRUE(stream_of(info, out) == stream) << "the files on disk differ from the torrent";
}

// Empty files are made once and closed: they never take a descriptor for the torrent's life.
TEST(TorrentStorage, EmptyFilesAreCreatedWithoutStayingOpen) {
    test::TempDir dir;
    for (int i = 0; i < 300; ++i) test::write_file(dir.path() / "set" / ("e" + std::to_string(i)), 0, 0);
    test::write_file(dir.path() / "set" / "data", 5000, 1);
    const TorrentInfo info = make_torrent(dir.path() / "set", TorrentFormat::v1, 16384);
    const std::size_t before = open_descriptors();
    TorrentStorage storage(dir.path() / "out", info);
    ASSERT_TRUE(storage.create_empty_files({}));
    for (int i = 0; i < 300; ++i) EXPECT_TRUE(fs::exists(dir.path() / "out" / "set" / ("e" + std::to_string(i))));
    EXPECT_LE(open_descriptors(), before + 1);
}

// Renames and deletions close descriptors while other threads read and write through the
// same storage, and a third thread takes every number freed, for unrelated files, at once. No
// read or write may meet a closed descriptor (EBADF), and no byte may land in, or be read
// from, a file it does not belong to.
TEST(TorrentStorage, ClosingUnderReadsAndWritesNeverCrossesFiles) {
    test::TempDir dir;
    // Small files, so that each piece is spread over several of them.
    fs::create_directories(dir.path() / "set");
    for (int i = 0; i < 40; ++i) {
        std::ofstream(dir.path() / "set" / ("f" + std::to_string(i)), std::ios::binary) << std::string(3000, 'a');
    }
    const TorrentInfo info = make_torrent(dir.path() / "set", TorrentFormat::v1, 16384);
    fs::remove_all(dir.path() / "set");
    const fs::path out = dir.path() / "out";
    const fs::path victims = dir.path() / "victims";
    fs::create_directories(victims);
    constexpr int k_victims = 8;
    for (int i = 0; i < k_victims; ++i) {
        std::ofstream(victims / std::to_string(i), std::ios::binary) << std::string(200000, 'v');
    }

    std::mutex storage_mutex;
    auto storage = std::make_shared<TorrentStorage>(out, info);
    auto current = [&] {
        std::lock_guard lock(storage_mutex);
        return storage;
    };
    std::atomic<bool> stop{false};
    std::atomic<int> closed_under_io{0};
    std::atomic<int> foreign_reads{0};
    const std::string piece(static_cast<std::size_t>(info.piece_length), 'a');
    const std::string bad_descriptor = std::strerror(EBADF);

    std::vector<std::thread> threads;
    for (int t = 0; t < 2; ++t) {
        threads.emplace_back([&, t] {
            std::string back(piece.size(), '\0');
            for (std::int64_t p = t; !stop; p = (p + 1) % info.num_pieces) {
                auto s = current();
                const auto size = static_cast<std::size_t>(info.piece_size(p));
                auto written = s->write(p * info.piece_length, std::span(piece.data(), size));
                if (!written && written.error().message.find(bad_descriptor) != std::string::npos) ++closed_under_io;
                std::fill(back.begin(), back.end(), '\0');
                const auto r = s->read(p * info.piece_length, std::span(back.data(), size));
                if (r.status == ReadStatus::io_error) ++closed_under_io;
                if (r.status == ReadStatus::ok && back.find('v') != std::string::npos) ++foreign_reads;
            }
        });
    }
    threads.emplace_back([&] {
        // dup() hands out the lowest free numbers at once (open() would first walk a path),
        // and they are held for a moment, as a busy program's sockets and files would be.
        std::vector<int> held;
        for (int i = 0; i < k_victims; ++i) {
            held.push_back(::open((victims / std::to_string(i)).c_str(), O_RDWR | O_CLOEXEC));
        }
        std::vector<int> taken;
        while (!stop) {
            for (int fd : held) taken.push_back(::dup(fd));
            std::this_thread::yield();
            for (int fd : taken) ::close(fd);
            taken.clear();
        }
        for (int fd : held) ::close(fd);
    });

    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    for (int round = 0; std::chrono::steady_clock::now() < deadline; ++round) {
        const std::size_t file = static_cast<std::size_t>(round) % info.files.size();
        auto s = current();
        auto renamed = with_file_renamed(info, file, "moved");
        ASSERT_TRUE(renamed);
        (void)s->rename_on_disk(file, renamed->files[file].path);
        std::error_code ec;
        fs::remove(out / "set" / "moved", ec);
        if (round % 4 == 3) {
            // The torrent is removed with its data (while a new storage, as if the torrent
            // were added again, writes the files anew).
            s->forbid_writes();
            {
                std::lock_guard lock(storage_mutex);
                storage = std::make_shared<TorrentStorage>(out, info);
            }
            s->remove_files();
        }
    }
    stop = true;
    for (auto& t : threads) t.join();

    EXPECT_EQ(closed_under_io, 0) << "a read or write met a descriptor closed under it";
    EXPECT_EQ(foreign_reads, 0) << "a read returned bytes of an unrelated file";
    for (int i = 0; i < k_victims; ++i) {
        const std::string content = test::read_file(victims / std::to_string(i));
        EXPECT_EQ(content.size(), 200000u) << "victim " << i;
        EXPECT_EQ(content.find_first_not_of('v'), std::string::npos) << "a piece was written into victim " << i;
    }
    for (const auto& f : info.files) {
        const std::string content = test::read_file(out / f.joined_path());
        EXPECT_EQ(content.find_first_not_of(std::string_view("a\0", 2)), std::string::npos) << f.joined_path();
    }
}

// Resume data may vouch only for flushed data: the storage knows which files it wrote since
// the last flush, and a storage that replaces it after a rename takes them over.
TEST(TorrentStorage, ReportsAndFlushesTheFilesWrittenSinceTheLastFlush) {
    test::TempDir dir;
    test::write_file(dir.path() / "set" / "a", 20000, 1);
    test::write_file(dir.path() / "set" / "b", 20000, 2);
    test::write_file(dir.path() / "set" / "c", 20000, 3);
    const TorrentInfo info = make_torrent(dir.path() / "set", TorrentFormat::v1, 16384);
    const std::string stream = stream_of(info, dir.path());
    TorrentStorage storage(dir.path() / "out", info);
    EXPECT_TRUE(storage.unflushed_files().empty());
    // Pieces 0 and 1 lie in files a and b.
    ASSERT_TRUE(storage.write(0, std::span(stream.data(), 2 * 16384)));
    EXPECT_EQ(storage.unflushed_files(), (std::set<std::size_t>{0, 1}));
    ASSERT_TRUE(storage.flush());
    EXPECT_TRUE(storage.unflushed_files().empty());

    ASSERT_TRUE(storage.write(3 * 16384, std::span(stream.data() + 3 * 16384, stream.size() - 3 * 16384)));
    EXPECT_EQ(storage.unflushed_files(), (std::set<std::size_t>{2}));
    TorrentStorage renamed(dir.path() / "out", info);
    storage.hand_over_unflushed(renamed);
    EXPECT_TRUE(storage.unflushed_files().empty());
    EXPECT_EQ(renamed.unflushed_files(), (std::set<std::size_t>{2}));
    ASSERT_TRUE(renamed.flush());
    EXPECT_TRUE(renamed.unflushed_files().empty());

    // A file deleted since it was written has nothing left to flush.
    ASSERT_TRUE(storage.write(0, std::span(stream.data(), 100)));
    fs::remove(dir.path() / "out" / "set" / "a");
    EXPECT_TRUE(storage.flush());
}

// A folder of the torrent replaced by a symlink to a folder outside the save folder, holding
// a file of the same name: removing the torrent's files leaves it, and the symlink, alone.
TEST(TorrentStorage, RemovingTheFilesNeverFollowsASymlinkedFolder) {
    test::TempDir dir;
    test::write_file(dir.path() / "album" / "a.bin", 20000, 1);
    test::write_file(dir.path() / "album" / "sub" / "deeper" / "b.bin", 20000, 2);
    test::write_file(dir.path() / "album" / "other" / "c.bin", 20000, 3);
    const TorrentInfo info = make_torrent(dir.path() / "album", TorrentFormat::hybrid, 16384);
    const fs::path outside = dir.path() / "outside";
    test::write_file(outside / "deeper" / "b.bin", 1000, 4);
    fs::rename(dir.path() / "album" / "sub", dir.path() / "sub-moved-away");
    fs::create_directory_symlink(outside, dir.path() / "album" / "sub");

    TorrentStorage storage(dir.path(), info);
    std::string piece(16384, '\0');
    ASSERT_EQ(storage.read(0, piece).status, ReadStatus::ok);
    storage.remove_files();
    EXPECT_TRUE(fs::exists(outside / "deeper" / "b.bin"));
    EXPECT_TRUE(fs::is_symlink(dir.path() / "album" / "sub"));
    EXPECT_FALSE(fs::exists(dir.path() / "album" / "a.bin"));
    EXPECT_FALSE(fs::exists(dir.path() / "album" / "other")) << "an emptied folder stayed";
    EXPECT_FALSE(storage.write(0, std::span(piece.data(), piece.size()))) << "wrote after the removal";
    EXPECT_FALSE(fs::exists(dir.path() / "album" / "a.bin"));

    // Without the symlink, the folders the torrent made go too.
    fs::remove(dir.path() / "album" / "sub");
    TorrentStorage again(dir.path(), info);
    std::string stream(static_cast<std::size_t>(info.total_size), 'x');
    ASSERT_TRUE(again.write(0, stream));
    again.remove_files();
    EXPECT_FALSE(fs::exists(dir.path() / "album"));
    EXPECT_TRUE(fs::exists(outside / "deeper" / "b.bin"));
}
