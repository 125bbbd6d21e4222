#include "metainfo/path_rules.hpp"

#include <algorithm>
#include <array>

#include "util/encoding.hpp"

namespace shoal {
namespace {

// What sanitizing changed, so `unsafe_component` can say why a name is not safe.
enum Change : unsigned {
    k_empty = 1u << 0,
    k_dot = 1u << 1,
    k_dotdot = 1u << 2,
    k_separator = 1u << 3,
    k_control = 1u << 4,
    k_invalid_utf8 = 1u << 5,
    k_direction = 1u << 6,
    k_too_long = 1u << 7,
    k_reserved = 1u << 8,
};

struct Sanitized {
    std::string name;  // "" when the component is left out
    unsigned changes = 0;
};

constexpr std::size_t k_max_extension_bytes = 16;

// Marks that reorder the text around them, so "evil\u202Etxt.exe" shows as "evilexe.txt".
bool is_direction_control(char32_t cp) {
    return cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069);
}

bool reserved_character(char32_t cp, NameStyle style) {
    return style == NameStyle::windows && cp < 0x80 &&
           std::string_view("<>:\"|?*").find(static_cast<char>(cp)) != std::string_view::npos;
}

bool reserved_device_name(std::string_view name) {
    static constexpr std::array<std::string_view, 25> k_devices = {
        "con",  "prn",  "aux",  "nul",  "clock$", "com0", "com1", "com2", "com3",
        "com4", "com5", "com6", "com7", "com8",   "com9", "lpt0", "lpt1", "lpt2",
        "lpt3", "lpt4", "lpt5", "lpt6", "lpt7",   "lpt8", "lpt9"};
    const std::string stem = fold_case(name.substr(0, name.find('.')));
    return std::find(k_devices.begin(), k_devices.end(), stem) != k_devices.end();
}

// Windows drops trailing dots and spaces from names, so "a." and "a" would be one file.
void strip_trailing(std::string& name, unsigned& changes) {
    const auto keep = name.find_last_not_of(". ");
    const std::size_t size = keep == std::string::npos ? 0 : keep + 1;
    if (size != name.size()) {
        name.resize(size);
        changes |= k_reserved;
    }
}

void fit(std::string& name, unsigned& changes) {
    if (name.size() <= k_max_name_bytes) return;
    const auto [stem, ext] = split_extension(name);
    name = fit_name(stem, ext);
    changes |= k_too_long;
}

Sanitized sanitize(std::string_view raw, NameStyle style) {
    Sanitized out;
    if (raw.empty()) return {std::string(k_placeholder_name), k_empty};
    std::string& name = out.name;
    name.reserve(raw.size());
    for (std::size_t i = 0; i < raw.size();) {
        const auto [cp, len] = next_code_point(raw.substr(i));
        if (len == 0) {
            name += '_';
            out.changes |= k_invalid_utf8;
            ++i;
            continue;
        }
        if (cp == '/' || cp == '\\') {
            out.changes |= k_separator;
        } else if (is_direction_control(cp)) {
            out.changes |= k_direction;
        } else if (is_control(cp)) {
            name += '_';
            out.changes |= k_control;
        } else if (reserved_character(cp, style)) {
            name += '_';
            out.changes |= k_reserved;
        } else {
            name.append(raw.substr(i, len));
        }
        i += len;
    }
    if (name == "." || name == "..") {
        out.changes |= name == "." ? k_dot : k_dotdot;
        name.clear();
        return out;
    }
    fit(name, out.changes);
    if (style == NameStyle::windows) {
        strip_trailing(name, out.changes);
        if (!name.empty() && reserved_device_name(name)) {
            name.insert(0, "_");
            out.changes |= k_reserved;
            fit(name, out.changes);
            strip_trailing(name, out.changes);
        }
    }
    return out;
}

}  // namespace

std::string sanitize_component(std::string_view raw, NameStyle style) {
    return sanitize(raw, style).name;
}

std::optional<std::string> unsafe_component(std::string_view name, NameStyle style) {
    const Sanitized s = sanitize(name, style);
    if (s.changes == 0) return std::nullopt;
    static constexpr std::array<std::pair<Change, std::string_view>, 9> k_reasons = {{
        {k_empty, "an empty path component"},
        {k_dot, "a '.' path component"},
        {k_dotdot, "a '..' path component"},
        {k_separator, "a path separator inside a file name"},
        {k_control, "a control character in a file name"},
        {k_invalid_utf8, "a file name that is not valid UTF-8"},
        {k_direction, "a text-direction control character in a file name"},
        {k_too_long, "a file name longer than 255 bytes"},
        {k_reserved, "a file name reserved on this platform"},
    }};
    for (const auto& [change, reason] : k_reasons) {
        if (s.changes & change) return std::string(reason);
    }
    return std::string("a file name that is not safe");
}

std::pair<std::string_view, std::string_view> split_extension(std::string_view name) {
    const auto dot = name.rfind('.');
    if (dot == std::string_view::npos || dot == 0 || name.size() - dot > k_max_extension_bytes) {
        return {name, {}};
    }
    return {name.substr(0, dot), name.substr(dot)};
}

std::string fit_name(std::string_view stem, std::string_view tail) {
    if (stem.size() + tail.size() > k_max_name_bytes) {
        std::size_t cut = k_max_name_bytes > tail.size() ? k_max_name_bytes - tail.size() : 0;
        // Back to the first byte of a character: UTF-8 continuation bytes are 10xxxxxx.
        while (cut > 0 && (static_cast<unsigned char>(stem[cut]) & 0xC0) == 0x80) --cut;
        stem = stem.substr(0, cut);
    }
    std::string out(stem);
    out += tail;
    return out;
}

std::string fold_case(std::string_view name) {
    std::string out(name);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

}  // namespace shoal
