// The pool of open descriptors: bounded, least recently used let go first, and a descriptor
// on loan never closed under its borrower.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "storage/file_pool.hpp"
#include "test_files.hpp"

namespace fs = std::filesystem;
using namespace shoal;
using Mode = FilePool::Mode;

namespace {

struct Files {
    test::TempDir dir;
    int opens = 0;
    std::function<int()> opener(std::size_t file, int flags = O_RDWR) {
        return [this, file, flags] {
            ++opens;
            return ::open((dir.path() / std::to_string(file)).c_str(), flags | O_CREAT | O_CLOEXEC, 0644);
        };
    }
};

bool is_open(int fd) { return ::fcntl(fd, F_GETFD) != -1; }

}  // namespace

TEST(FilePool, KeepsAtMostItsCapacityAndLetsTheLeastRecentlyUsedGo) {
    Files f;
    FilePool pool(3);
    const auto owner = pool.new_owner();
    for (std::size_t i = 0; i < 10; ++i) ASSERT_TRUE(pool.acquire({owner, i}, Mode::write, f.opener(i)));
    EXPECT_EQ(pool.open_descriptors(), 3u);
    EXPECT_EQ(f.opens, 10);
    // 7, 8 and 9 are kept; using 7 makes 8 the oldest, so 10 pushes 8 out.
    ASSERT_TRUE(pool.acquire({owner, 7}, Mode::write, f.opener(7)));
    EXPECT_EQ(f.opens, 10);
    ASSERT_TRUE(pool.acquire({owner, 10}, Mode::write, f.opener(10)));
    ASSERT_TRUE(pool.acquire({owner, 7}, Mode::read, f.opener(7)));
    ASSERT_TRUE(pool.acquire({owner, 9}, Mode::write, f.opener(9)));
    EXPECT_EQ(f.opens, 11);
    ASSERT_TRUE(pool.acquire({owner, 8}, Mode::write, f.opener(8)));
    EXPECT_EQ(f.opens, 12);
    EXPECT_EQ(pool.open_descriptors(), 3u);
    pool.close_all(owner);
    EXPECT_EQ(pool.open_descriptors(), 0u);
}

TEST(FilePool, ADescriptorOpenForReadingIsReopenedToWrite) {
    Files f;
    FilePool pool(4);
    const auto owner = pool.new_owner();
    ASSERT_TRUE(pool.acquire({owner, 0}, Mode::read, f.opener(0, O_RDONLY)));
    auto writable = pool.acquire({owner, 0}, Mode::write, f.opener(0));
    ASSERT_TRUE(writable);
    EXPECT_EQ(::pwrite(writable.fd(), "x", 1, 0), 1);
    ASSERT_TRUE(pool.acquire({owner, 0}, Mode::read, f.opener(0, O_RDONLY)));
    EXPECT_EQ(f.opens, 2);
}

// A descriptor the pool lets go while a read or write holds it stays open, and its number
// taken, until that read or write is done: the number cannot pass to another file meanwhile.
TEST(FilePool, ADescriptorOnLoanOutlivesItsPlaceInThePool) {
    Files f;
    FilePool pool(1);
    const auto owner = pool.new_owner();
    auto held = pool.acquire({owner, 0}, Mode::write, f.opener(0));
    ASSERT_TRUE(held);
    const int fd = held.fd();
    ASSERT_TRUE(pool.acquire({owner, 1}, Mode::write, f.opener(1)));  // pushes file 0 out
    EXPECT_TRUE(is_open(fd));
    EXPECT_EQ(pool.open_descriptors(), 2u);
    EXPECT_EQ(::pwrite(fd, "held", 4, 0), 4);
    held = {};
    EXPECT_EQ(pool.open_descriptors(), 1u);
    EXPECT_EQ(test::read_file(f.dir.path() / "0"), "held");
}

// close() is what rename and removal use: it returns only once every loan of the file is
// back, and the descriptor is closed by then.
TEST(FilePool, CloseWaitsForTheLoansOfTheFile) {
    Files f;
    FilePool pool(8);
    const auto owner = pool.new_owner();
    auto held = pool.acquire({owner, 0}, Mode::write, f.opener(0));
    ASSERT_TRUE(held);
    ASSERT_TRUE(pool.acquire({owner, 1}, Mode::write, f.opener(1)));
    const int fd = held.fd();
    std::atomic<bool> closed{false};
    std::thread closer([&] {
        pool.close({owner, 0});
        closed = true;
    });
    // Another file of the same owner is not held up by the wait.
    ASSERT_TRUE(pool.acquire({owner, 1}, Mode::read, f.opener(1)));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_FALSE(closed) << "closed while a write held the descriptor";
    EXPECT_TRUE(is_open(fd));
    held = {};
    closer.join();
    EXPECT_TRUE(closed);
    EXPECT_EQ(pool.open_descriptors(), 1u);
}

// A pool allowed more descriptors than the process may open lets its own go when the
// process runs out, rather than failing the read or write.
TEST(FilePool, OutOfDescriptorsItLetsItsOwnGoAndOpensAgain) {
    Files f;
    FilePool pool(1000);
    const auto owner = pool.new_owner();
    rlimit saved{};
    ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved), 0);
    rlimit lowered = saved;
    lowered.rlim_cur = 64;
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &lowered), 0);
    bool all = true;
    for (std::size_t i = 0; i < 300 && all; ++i) all = static_cast<bool>(pool.acquire({owner, i}, Mode::write, f.opener(i)));
    const std::size_t open = pool.open_descriptors();
    pool.close_all(owner);
    ::setrlimit(RLIMIT_NOFILE, &saved);
    EXPECT_TRUE(all);
    EXPECT_LT(open, 64u);
}

TEST(FilePool, SharedPoolKeepsAQuarterOfTheLimitAtMost256) {
    rlimit saved{};
    ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved), 0);
    rlimit lowered = saved;
    lowered.rlim_cur = 1024;
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &lowered), 0);
    EXPECT_EQ(FilePool::default_capacity(), 256u);
    lowered.rlim_cur = 200;
    ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &lowered), 0);
    EXPECT_EQ(FilePool::default_capacity(), 50u);
    ::setrlimit(RLIMIT_NOFILE, &saved);
    EXPECT_EQ(&FilePool::shared(), &FilePool::shared());
}
