#pragma once
// shoald's log: one line per event on stderr, for a terminal or the journal. Lines below the
// level are dropped. Under systemd (JOURNAL_STREAM naming this stream) each line starts with
// its syslog priority, "<4>", which journald takes off and keeps as the line's priority.

#include <cstdio>
#include <optional>
#include <string_view>

namespace shoal::daemon {

enum class LogLevel { error, warning, info, debug };

// "error", "warning", "info" or "debug"; nullopt for anything else.
std::optional<LogLevel> parse_log_level(std::string_view text);
std::string_view to_string(LogLevel level);

class Log {
public:
    // `journal`: write syslog priorities; the default asks JOURNAL_STREAM about `out`.
    explicit Log(LogLevel level = LogLevel::info, std::FILE* out = stderr, std::optional<bool> journal = {});

    void set_level(LogLevel level) { level_ = level; }
    LogLevel level() const { return level_; }

    void write(LogLevel level, std::string_view message) const;
    void error(std::string_view message) const { write(LogLevel::error, message); }
    void warning(std::string_view message) const { write(LogLevel::warning, message); }
    void info(std::string_view message) const { write(LogLevel::info, message); }
    void debug(std::string_view message) const { write(LogLevel::debug, message); }

private:
    LogLevel level_;
    std::FILE* out_;
    bool journal_;
};

}  // namespace shoal::daemon
