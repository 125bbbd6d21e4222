#include "tracker/log.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace shoal::tracker {
namespace {

void append_value(std::string& out, std::string_view v) {
    const bool plain = !v.empty() && v.find_first_of(" \"=\t\n\r") == std::string_view::npos;
    if (plain) {
        out += v;
        return;
    }
    out += '"';
    for (char c : v) {
        if (c == '"' || c == '\\')
            out += '\\';
        if (c == '\n' || c == '\r')
            c = ' ';
        out += c;
    }
    out += '"';
}

std::string_view level_name(LogLevel level) {
    switch (level) {
        case LogLevel::info:
            return "info";
        case LogLevel::warn:
            return "warn";
        case LogLevel::error:
            return "error";
    }
    return "info";
}

}  // namespace

std::string format_log_line(LogLevel level, std::string_view event,
                            std::initializer_list<LogField> fields) {
    const auto now = std::chrono::system_clock::now();
    const std::time_t t = std::chrono::system_clock::to_time_t(now);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
    std::string line = "time=";
    line += stamp;
    line += " level=";
    line += level_name(level);
    line += " event=";
    append_value(line, event);
    for (const auto& [key, value] : fields) {
        line += ' ';
        line += key;
        line += '=';
        append_value(line, value);
    }
    line += '\n';
    return line;
}

void log_event(LogLevel level, std::string_view event, std::initializer_list<LogField> fields) {
    static std::mutex mutex;
    const std::string line = format_log_line(level, event, fields);
    std::lock_guard lock(mutex);
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
}

}  // namespace shoal::tracker
