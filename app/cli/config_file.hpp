#pragma once
// `--config FILE` for seed and get, and for shoald: a TOML file holding the same names as the
// long options.

#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "util/result.hpp"

namespace shoal::cli {

// The command line with the config file's settings added as options, for every option the
// command line does not give itself. Unknown keys and bad values are errors naming them.
Result<std::vector<std::string>> apply_config_file(const CLI::App& app, std::vector<std::string> args);

// The same for one command's own arguments (a program without subcommands): `--config FILE`
// in `args` is replaced by the file's settings. The names in `not_keys` are not taken as keys.
Result<std::vector<std::string>> apply_command_config_file(const CLI::App& command, std::vector<std::string> args,
                                                           const std::vector<std::string>& not_keys = {"config"});

}  // namespace shoal::cli
