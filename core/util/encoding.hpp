#pragma once
// Hex and RFC 4648 base32 conversions used by info-hashes and magnet links; UTF-8 read
// strictly.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace shoal {

std::string to_hex(std::span<const std::uint8_t> bytes);
// Accepts upper- and lowercase; nullopt on odd length or a non-hex digit.
std::optional<std::vector<std::uint8_t>> from_hex(std::string_view text);

std::string to_base32(std::span<const std::uint8_t> bytes);
// Accepts upper- and lowercase, no padding; nullopt on bad characters or trailing bits.
std::optional<std::vector<std::uint8_t>> from_base32(std::string_view text);

// The code point of the valid UTF-8 sequence at the start of `s` (not empty) and its length,
// or a length of 0 when the sequence is invalid (overlong, a surrogate, past U+10FFFF, or cut
// short).
std::pair<char32_t, std::size_t> next_code_point(std::string_view s);
// C0 and C1 controls and DEL.
bool is_control(char32_t cp);
// Valid UTF-8 without control characters: text that may be shown and stored as it is.
bool is_plain_text(std::string_view s);

}  // namespace shoal
