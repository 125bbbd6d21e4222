#pragma once
// The RPC password's files: a password file read (--rpc-password-file), and a config file's
// plain rpc_password replaced by its hash.

#include <filesystem>
#include <istream>
#include <string>
#include <string_view>

#include "daemon/password_hash.hpp"
#include "util/result.hpp"

namespace shoal::daemon {

inline constexpr std::size_t k_max_password_bytes = 1024;

// The first line without its line end; an error naming `source` when it is empty, longer
// than k_max_password_bytes, or unreadable.
Result<std::string> read_password_line(std::istream& in, std::string_view source);
Result<std::string> read_password_file(const std::filesystem::path& path);

// When the config file holds rpc_password in plain text, rewrites that value alone with its
// hash (a new file renamed over the old, with the old one's mode): true. The hash written is
// `in_use` when it is that password's (so that the file and memory agree), else a new one.
// False when there is nothing to replace; an error saying why the file could not be rewritten.
Result<bool> hash_config_password(const std::filesystem::path& config, const PasswordHash& in_use = {});

}  // namespace shoal::daemon
