#include <fmt/core.h>

#include <filesystem>
#include <memory>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/format.hpp"
#include "cli/swarm_options.hpp"

namespace fs = std::filesystem;

namespace shoal::cli {
namespace {

struct GetArgs {
    std::string torrent;
    std::string dir = ".";
    bool seed = false;
    bool sequential = false;
    SwarmOptions swarm;
};

int run(const GetArgs& a) {
    if (a.torrent.starts_with("magnet:")) {
        print_error("downloading from a magnet link needs metadata exchange, which this version lacks; "
                    "use the .torrent file");
        return k_exit_bad_input;
    }
    auto info = load_torrent(a.torrent);
    if (!info) {
        print_error(info.error().message);
        return k_exit_bad_input;
    }
    std::error_code ec;
    fs::create_directories(a.dir, ec);
    if (!fs::is_directory(a.dir, ec)) {
        print_error("cannot use '" + a.dir + "' as the save folder");
        return k_exit_io;
    }
    AddTorrentParams params;
    params.info = std::make_shared<const TorrentInfo>(std::move(*info));
    params.save_dir = fs::absolute(a.dir);
    params.sequential = a.sequential;
    return run_swarm(a.swarm, std::move(params), RunGoal{.exit_when_finished = !a.seed});
}

}  // namespace

Command add_get_command(CLI::App& app) {
    auto args = std::make_shared<GetArgs>();
    CLI::App* cmd = app.add_subcommand("get", "Download a torrent; exits 0 once every byte is verified");
    cmd->add_option("TORRENT", args->torrent, "The .torrent file")->required();
    cmd->add_option("-d,--dir", args->dir, "Save folder (default: .)");
    cmd->add_flag("--seed", args->seed, "Keep seeding after the download completes");
    cmd->add_flag("--sequential", args->sequential, "Download pieces in order");
    add_swarm_options(*cmd, args->swarm);
    return [args] { return run(*args); };
}

}  // namespace shoal::cli
