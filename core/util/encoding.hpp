#pragma once
// Hex and RFC 4648 base32 conversions used by info-hashes and magnet links.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace shoal {

std::string to_hex(std::span<const std::uint8_t> bytes);
// Accepts upper- and lowercase; nullopt on odd length or a non-hex digit.
std::optional<std::vector<std::uint8_t>> from_hex(std::string_view text);

std::string to_base32(std::span<const std::uint8_t> bytes);
// Accepts upper- and lowercase, no padding; nullopt on bad characters or trailing bits.
std::optional<std::vector<std::uint8_t>> from_base32(std::string_view text);

}  // namespace shoal
