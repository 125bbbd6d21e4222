#include "daemon/log.hpp"

#include <sys/stat.h>

#include <cstdlib>
#include <string>

namespace shoal::daemon {
namespace {

// True when JOURNAL_STREAM ("DEVICE:INODE") names the file `out` writes to.
bool writes_to_journal(std::FILE* out) {
    const char* stream = std::getenv("JOURNAL_STREAM");
    struct stat st {};
    if (!stream || ::fstat(::fileno(out), &st) != 0) return false;
    unsigned long long device = 0, inode = 0;
    if (std::sscanf(stream, "%llu:%llu", &device, &inode) != 2) return false;
    return device == st.st_dev && inode == st.st_ino;
}

// syslog(3) priorities: LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG.
int priority(LogLevel level) {
    switch (level) {
        case LogLevel::error: return 3;
        case LogLevel::warning: return 4;
        case LogLevel::info: return 6;
        case LogLevel::debug: return 7;
    }
    return 6;
}

}  // namespace

std::optional<LogLevel> parse_log_level(std::string_view text) {
    for (LogLevel level : {LogLevel::error, LogLevel::warning, LogLevel::info, LogLevel::debug}) {
        if (text == to_string(level)) return level;
    }
    return std::nullopt;
}

std::string_view to_string(LogLevel level) {
    switch (level) {
        case LogLevel::error: return "error";
        case LogLevel::warning: return "warning";
        case LogLevel::info: return "info";
        case LogLevel::debug: return "debug";
    }
    return "info";
}

Log::Log(LogLevel level, std::FILE* out, std::optional<bool> journal)
    : level_(level), out_(out), journal_(journal.value_or(writes_to_journal(out))) {}

void Log::write(LogLevel level, std::string_view message) const {
    if (level > level_) return;
    std::string line;
    if (journal_) line = "<" + std::to_string(priority(level)) + ">";
    line += "shoald: ";
    if (level != LogLevel::info) line += std::string(to_string(level)) + ": ";
    // One event, one line: a line break inside a message would start a forged one.
    for (char c : message) line += (c == '\n' || c == '\r') ? ' ' : c;
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), out_);
    std::fflush(out_);
}

}  // namespace shoal::daemon
