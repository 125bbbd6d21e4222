#pragma once
// Structured log lines on stderr: one event a line, key=value pairs.

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

namespace shoal::tracker {

enum class LogLevel { info, warn, error };

using LogField = std::pair<std::string_view, std::string>;

// Formats the line (time, level, event, fields); values with spaces or quotes are quoted.
std::string format_log_line(LogLevel level, std::string_view event,
                            std::initializer_list<LogField> fields);
void log_event(LogLevel level, std::string_view event, std::initializer_list<LogField> fields = {});

}  // namespace shoal::tracker
