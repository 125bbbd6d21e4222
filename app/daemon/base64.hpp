#pragma once
// RFC 4648 base64 (with padding), as Transmission's RPC carries .torrent files and HTTP Basic
// authentication carries credentials.

#include <optional>
#include <string>
#include <string_view>

namespace shoal::daemon {

std::string to_base64(std::string_view bytes);
// Skips ASCII whitespace (clients wrap long lines); padding is optional; nullopt on any
// other character or a lone trailing sextet.
std::optional<std::string> from_base64(std::string_view text);

}  // namespace shoal::daemon
