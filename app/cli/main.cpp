// shoal-cli: create, inspect and verify torrents from the command line.
#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include <cstdio>
#include <exception>

#include "cli/commands.hpp"
#include "cli/config_file.hpp"
#include "cli/exit_codes.hpp"
#include "cli/format.hpp"
#include "cli/version.hpp"

int main(int argc, char** argv) {
    using namespace shoal::cli;
    // Each line goes out when it is written, also into a pipe: scripts wait for the magnet
    // link, the torrent's path, "complete" and the --json status lines as they come.
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    try {
        CLI::App app("Shoal: a BitTorrent client for the command line", "shoal-cli");
        app.footer(k_exit_codes_help);
        app.set_version_flag("--version", std::string("shoal-cli ") + k_version);
        app.require_subcommand(1);
        const std::vector<std::pair<CLI::App*, Command>> commands = [&] {
            std::vector<std::pair<CLI::App*, Command>> list;
            for (auto add : {add_create_command, add_show_command, add_verify_command,
                             add_seed_command, add_get_command}) {
                Command run = add(app);
                list.emplace_back(app.get_subcommands({}).back(), std::move(run));
            }
            return list;
        }();
        std::vector<std::string> args(argv + 1, argv + argc);
        auto expanded = apply_config_file(app, std::move(args));
        if (!expanded) {
            print_error(expanded.error().message);
            return k_exit_usage;
        }
        // CLI11 takes the arguments in reverse order.
        std::vector<std::string> reversed(expanded->rbegin(), expanded->rend());
        try {
            app.parse(reversed);
        } catch (const CLI::CallForHelp& e) {
            return app.exit(e);
        } catch (const CLI::CallForAllHelp& e) {
            return app.exit(e);
        } catch (const CLI::CallForVersion& e) {
            return app.exit(e);
        } catch (const CLI::ParseError& e) {
            print_error(std::string(e.what()) + " (see shoal-cli --help)");
            return k_exit_usage;
        }
        for (const auto& [cmd, run] : commands) {
            if (cmd->parsed()) return run();
        }
        return k_exit_usage;
    } catch (const std::exception& e) {
        print_error(e.what());
        return k_exit_io;
    }
}
