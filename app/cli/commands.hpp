#pragma once
// shoal-cli's subcommands: each registers its options and runs after parsing.

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

namespace shoal::cli {

// Registers a subcommand on `app`; the returned function runs it and gives the exit code.
using Command = std::function<int()>;

Command add_create_command(CLI::App& app);
Command add_show_command(CLI::App& app);
Command add_verify_command(CLI::App& app);
Command add_seed_command(CLI::App& app);
Command add_get_command(CLI::App& app);

// `-w,--web-seed URL` (repeatable) for a torrent being made: each checked to be an http(s) URL
// a web seed can have (BEP 19).
CLI::Option* add_web_seed_option(CLI::App& command, std::vector<std::string>& urls);

}  // namespace shoal::cli
