#include <fmt/core.h>

#include <filesystem>
#include <memory>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/format.hpp"
#include "cli/progress_bar.hpp"
#include "cli/swarm_options.hpp"
#include "cli/torrent_output.hpp"
#include "cli/version.hpp"
#include "creation/create_torrent.hpp"
#include "metainfo/magnet.hpp"

namespace fs = std::filesystem;

namespace shoal::cli {
namespace {

struct SeedArgs {
    std::string path;
    std::string data_dir;
    std::string output;
    std::vector<std::string> trackers;
    std::vector<std::string> web_seeds;
    bool v1 = false;
    bool v2 = false;
    SwarmOptions swarm;
};

bool looks_like_torrent_file(const fs::path& path) {
    std::error_code ec;
    return path.extension() == ".torrent" && fs::is_regular_file(path, ec);
}

// Makes a torrent of `source` and writes it beside it (or to `output`); an existing file for
// the same content is reused. Gives the torrent and the folder its paths start from.
Result<std::pair<TorrentInfo, fs::path>> make_torrent(const SeedArgs& a, const fs::path& source) {
    CreateOptions o;
    o.format = a.v1 ? TorrentFormat::v1 : a.v2 ? TorrentFormat::v2 : TorrentFormat::hybrid;
    o.trackers = tiers_from(a.trackers);
    o.web_seeds = a.web_seeds;
    o.created_by = std::string("Shoal/") + k_version;
    ProgressBar bar("hashing");
    o.progress = [&](std::int64_t done, std::int64_t total) { bar.update(done, total); };
    auto created = create_torrent(source, o);
    bar.finish();
    if (!created) return created.error();
    const fs::path out = a.output.empty() ? fs::path(source.string() + ".torrent") : fs::path(a.output);
    std::error_code ec;
    if (fs::exists(out, ec)) {
        auto existing = load_torrent(out.string());
        const bool same = existing && existing->info_hash_v1 == created->info.info_hash_v1 &&
                          existing->info_hash_v2 == created->info.info_hash_v2;
        if (!same) {
            return make_error("'" + out.string() + "' already exists and describes other data (use -o)");
        }
        return std::pair{std::move(*existing), created->save_dir};
    }
    auto written = write_torrent_file(out, created->bytes, false);
    if (!written) return written.error();
    fmt::print("wrote {}\n", out.string());
    return std::pair{std::move(created->info), created->save_dir};
}

int run(const SeedArgs& a) {
    fs::path source = fs::absolute(a.path).lexically_normal();
    if (source.filename().empty()) source = source.parent_path();
    control::AddTorrent params;
    if (looks_like_torrent_file(source)) {
        auto info = load_torrent(source.string());
        if (!info) {
            print_error(info.error().message);
            return k_exit_bad_input;
        }
        params.info = std::make_shared<const TorrentInfo>(std::move(*info));
        params.save_dir = a.data_dir.empty() ? fs::current_path() : fs::absolute(a.data_dir);
    } else {
        auto made = make_torrent(a, source);
        if (!made) {
            print_error(made.error().message);
            return k_exit_bad_input;
        }
        params.info = std::make_shared<const TorrentInfo>(std::move(made->first));
        params.save_dir = made->second;
        params.skip_check = true;
    }
    fmt::print("magnet: {}\n", to_uri(magnet_for(*params.info)));
    return run_swarm(a.swarm, std::move(params), RunGoal{.exit_when_finished = false});
}

}  // namespace

Command add_seed_command(CLI::App& app) {
    auto args = std::make_shared<SeedArgs>();
    CLI::App* cmd = app.add_subcommand("seed", "Share a file or folder (making its torrent), or a torrent's data");
    cmd->add_option("PATH_OR_TORRENT", args->path, "File or folder to share, or a .torrent file")->required();
    cmd->add_option("-d,--data-dir", args->data_dir,
                    "With a .torrent: the save folder holding its data (default: .)");
    cmd->add_option("-o,--output", args->output, "Where to write a new torrent (default: beside the data)");
    cmd->add_option("-t,--tracker", args->trackers, "Tracker URL for a new torrent; repeat for tiers");
    add_web_seed_option(*cmd, args->web_seeds)->description("Web seed URL (BEP 19) for a new torrent; repeatable");
    auto* v1 = cmd->add_flag("--v1", args->v1, "Make a v1 torrent (default hybrid)");
    auto* v2 = cmd->add_flag("--v2", args->v2, "Make a v2 torrent (default hybrid)");
    v1->excludes(v2);
    add_swarm_options(*cmd, args->swarm);
    return [args] { return run(*args); };
}

}  // namespace shoal::cli
