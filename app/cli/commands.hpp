#pragma once
// shoal-cli's subcommands: each registers its options and runs after parsing.

#include <CLI/CLI.hpp>

#include <functional>

namespace shoal::cli {

// Registers a subcommand on `app`; the returned function runs it and gives the exit code.
using Command = std::function<int()>;

Command add_create_command(CLI::App& app);
Command add_show_command(CLI::App& app);
Command add_verify_command(CLI::App& app);
Command add_seed_command(CLI::App& app);
Command add_get_command(CLI::App& app);

}  // namespace shoal::cli
