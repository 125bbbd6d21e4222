#pragma once
// Which file and folder names a torrent may ask us to create under the save folder.

#include <optional>
#include <string>
#include <string_view>

namespace shoal {

constexpr std::size_t k_max_name_bytes = 255;

// nullopt when `name` is a safe single path component; otherwise why it is not.
std::optional<std::string> unsafe_component(std::string_view name);

}  // namespace shoal
