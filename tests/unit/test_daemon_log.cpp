// shoald's log lines: levels, the journal's priorities, one line per message.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "daemon/log.hpp"

using namespace shoal::daemon;

namespace {

// What a Log writes, read back.
class Captured {
public:
    Captured() : file_(open_memstream(&data_, &size_)) {}
    ~Captured() {
        std::fclose(file_);
        std::free(data_);
    }
    std::FILE* file() { return file_; }
    std::string text() {
        std::fflush(file_);
        return std::string(data_, size_);
    }

private:
    char* data_ = nullptr;
    std::size_t size_ = 0;
    std::FILE* file_;
};

TEST(DaemonLog, Levels) {
    EXPECT_EQ(parse_log_level("warning"), LogLevel::warning);
    EXPECT_EQ(parse_log_level("debug"), LogLevel::debug);
    EXPECT_FALSE(parse_log_level("Info"));
    EXPECT_FALSE(parse_log_level("verbose"));
    EXPECT_EQ(to_string(LogLevel::error), "error");

    Captured out;
    Log log(LogLevel::info, out.file(), false);
    log.debug("hidden");
    log.info("torrent added");
    log.warning("RPC request from 10.0.0.1 refused");
    log.error("disk full");
    EXPECT_EQ(out.text(), "shoald: torrent added\n"
                          "shoald: warning: RPC request from 10.0.0.1 refused\n"
                          "shoald: error: disk full\n");
    log.set_level(LogLevel::error);
    log.warning("hidden too");
    log.set_level(LogLevel::debug);
    log.debug("shown");
    EXPECT_TRUE(out.text().ends_with("shoald: error: disk full\nshoald: debug: shown\n")) << out.text();
}

TEST(DaemonLog, OneLinePerMessage) {
    Captured out;
    Log log(LogLevel::info, out.file(), false);
    log.info("name\nshoald: error: forged\r");
    EXPECT_EQ(out.text(), "shoald: name shoald: error: forged \n");
}

TEST(DaemonLog, JournalPriorities) {
    Captured out;
    Log log(LogLevel::debug, out.file(), true);
    log.error("e");
    log.warning("w");
    log.info("i");
    log.debug("d");
    EXPECT_EQ(out.text(), "<3>shoald: error: e\n<4>shoald: warning: w\n<6>shoald: i\n<7>shoald: debug: d\n");
}

TEST(DaemonLog, TheJournalIsToldByJournalStream) {
    Captured out;
    ::setenv("JOURNAL_STREAM", "1:2", 1);
    Log not_ours(LogLevel::info, out.file());
    not_ours.info("plain");
    std::FILE* file = std::tmpfile();
    struct stat st {};
    ASSERT_EQ(::fstat(::fileno(file), &st), 0);
    ::setenv("JOURNAL_STREAM", (std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino)).c_str(), 1);
    Log journal(LogLevel::info, file);
    journal.info("prioritised");
    ::unsetenv("JOURNAL_STREAM");
    std::rewind(file);
    char line[64] = {};
    ASSERT_TRUE(std::fgets(line, sizeof line, file));
    EXPECT_STREQ(line, "<6>shoald: prioritised\n");
    std::fclose(file);
    EXPECT_EQ(out.text(), "shoald: plain\n");
}

}  // namespace
