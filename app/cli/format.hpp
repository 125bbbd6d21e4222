#pragma once
// Human-readable sizes and rates for terminal output.

#include <cstdint>
#include <string>

namespace shoal::cli {

// 1536 -> "1.5 KiB"
std::string human_size(std::int64_t bytes);

// Prints `message` as one line on stderr, prefixed with the program name.
void print_error(const std::string& message);

bool stderr_is_terminal();

}  // namespace shoal::cli
