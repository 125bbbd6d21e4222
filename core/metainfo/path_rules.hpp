#pragma once
// Which file and folder names a torrent may ask us to create under the save folder, and how a
// name that is not safe is turned into one that is.

#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace shoal {

constexpr std::size_t k_max_name_bytes = 255;

// Windows adds its own rules: no `<>:"|?*`, no trailing dots or spaces, no device names
// (CON, NUL, COM1...). They apply where the files are written; tests can ask for either.
enum class NameStyle { posix, windows };
#ifdef _WIN32
constexpr NameStyle k_host_names = NameStyle::windows;
#else
constexpr NameStyle k_host_names = NameStyle::posix;
#endif

// What an unusable path component becomes when sanitizing leaves nothing of it.
inline constexpr std::string_view k_placeholder_name = "_";

// The safe form of one path component taken from a torrent, or "" when the component is to be
// left out ('.', '..', or a name made only of separators). Separators and text-direction
// controls are removed; control characters, invalid UTF-8 and (Windows) reserved characters
// become '_'; an empty name becomes "_"; a name over 255 bytes is cut, keeping its extension
// and whole UTF-8 characters. A non-empty result is returned unchanged by another pass.
std::string sanitize_component(std::string_view raw, NameStyle style = k_host_names);

// nullopt when `name` is a safe single path component (one sanitizing leaves as it is);
// otherwise why it is not.
std::optional<std::string> unsafe_component(std::string_view name,
                                            NameStyle style = k_host_names);

// `name` split before its extension ("bar.txt" -> "bar", ".txt"); a leading dot (".profile")
// or a "extension" longer than 16 bytes does not count as one.
std::pair<std::string_view, std::string_view> split_extension(std::string_view name);

// `stem` + `tail`, with `stem` cut at a UTF-8 character boundary so the whole fits in
// k_max_name_bytes (`tail` is kept whole: an extension, or a ".1" and an extension).
std::string fit_name(std::string_view stem, std::string_view tail);

// `name` with A-Z turned into a-z: how names compare on case-insensitive file systems.
std::string fold_case(std::string_view name);

}  // namespace shoal
