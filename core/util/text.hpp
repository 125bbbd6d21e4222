#pragma once
// Small helpers for text read from the wire and from files.

#include <string_view>

namespace shoal {

// `s` without the spaces and tabs around it (the blanks HTTP-style header values may carry).
inline std::string_view trim_blanks(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

}  // namespace shoal
