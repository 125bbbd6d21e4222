#include "metainfo/path_rules.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace shoal {
namespace {

#ifdef _WIN32
bool reserved_on_windows(std::string_view name) {
    static constexpr std::array<std::string_view, 22> k_reserved = {
        "CON",  "PRN",  "AUX",  "NUL",  "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7",
        "COM8", "COM9", "LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9"};
    std::string stem(name.substr(0, name.find('.')));
    for (char& c : stem) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return std::find(k_reserved.begin(), k_reserved.end(), stem) != k_reserved.end() ||
           name.find_first_of("<>:\"|?*") != std::string_view::npos || name.back() == ' ' ||
           name.back() == '.';
}
#endif

}  // namespace

std::optional<std::string> unsafe_component(std::string_view name) {
    if (name.empty()) return "an empty path component";
    if (name == ".") return "a '.' path component";
    if (name == "..") return "a '..' path component";
    if (name.find('\0') != std::string_view::npos) return "a NUL byte in a file name";
    if (name.find('/') != std::string_view::npos || name.find('\\') != std::string_view::npos) {
        return "a path separator inside a file name";
    }
    if (name.size() > k_max_name_bytes) return "a file name longer than 255 bytes";
#ifdef _WIN32
    if (reserved_on_windows(name)) return "a file name reserved on this platform";
#endif
    return std::nullopt;
}

}  // namespace shoal
