#include <fmt/core.h>

#include <charconv>
#include <filesystem>
#include <memory>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/format.hpp"
#include "cli/swarm_options.hpp"
#include "metainfo/magnet.hpp"

namespace fs = std::filesystem;

namespace shoal::cli {
namespace {

// "0,2,5-7": the file indices given with --select.
Result<std::vector<FileIndexRange>> parse_selection(const std::string& text) {
    std::vector<FileIndexRange> out;
    std::string_view rest = text;
    while (!rest.empty()) {
        const auto comma = rest.find(',');
        const std::string_view item = rest.substr(0, comma);
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
        const auto dash = item.find('-');
        std::int64_t first = 0;
        std::int64_t last = 0;
        auto number = [](std::string_view s, std::int64_t& value) {
            auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
            return ec == std::errc() && end == s.data() + s.size() && !s.empty() && value >= 0;
        };
        const bool ok = dash == std::string_view::npos
                            ? number(item, first) && (last = first, true)
                            : number(item.substr(0, dash), first) && number(item.substr(dash + 1), last);
        if (!ok || first > last) return make_error("--select: '" + std::string(item) + "' is not a file index or range");
        out.push_back({first, last});
    }
    return out;
}

// Priority 4 for the selected files, 0 for the rest; every index must exist.
Result<std::vector<int>> file_priorities_from(const std::vector<FileIndexRange>& ranges, const TorrentInfo& info) {
    std::vector<int> priorities(info.files.size(), 0);
    for (const auto& r : ranges) {
        if (r.last >= static_cast<std::int64_t>(info.files.size())) {
            return make_error("--select: file " + std::to_string(r.last) + " is not in this torrent (0-" +
                              std::to_string(info.files.size() - 1) + ")");
        }
        for (auto i = r.first; i <= r.last; ++i) priorities[static_cast<std::size_t>(i)] = 4;
    }
    return priorities;
}

struct GetArgs {
    std::string torrent;
    std::string dir = ".";
    bool seed = false;
    bool sequential = false;
    std::string select;
    SwarmOptions swarm;
};

int run(const GetArgs& a) {
    control::AddTorrent params;
    std::optional<std::vector<FileIndexRange>> selection;
    if (!a.select.empty()) {
        auto parsed = parse_selection(a.select);
        if (!parsed) {
            print_error(parsed.error().message);
            return k_exit_usage;
        }
        selection = std::move(*parsed);
    }
    if (a.torrent.starts_with("magnet:")) {
        // Refused here, before a session starts, so a bad link never waits on the network.
        if (auto magnet = parse_magnet(a.torrent); !magnet) {
            print_error(magnet.error().message);
            return k_exit_bad_input;
        }
        // The files are known only once the metadata arrives; --select replaces `so=`.
        params.select_only = std::move(selection);
        params.magnet = a.torrent;
    } else {
        auto info = load_torrent(a.torrent);
        if (!info) {
            print_error(info.error().message);
            return k_exit_bad_input;
        }
        params.info = std::make_shared<const TorrentInfo>(std::move(*info));
        if (selection) {
            auto priorities = file_priorities_from(*selection, *params.info);
            if (!priorities) {
                print_error(priorities.error().message);
                return k_exit_usage;
            }
            params.file_priorities = std::move(*priorities);
        }
    }
    std::error_code ec;
    fs::create_directories(a.dir, ec);
    if (!fs::is_directory(a.dir, ec)) {
        print_error("cannot use '" + a.dir + "' as the save folder");
        return k_exit_io;
    }
    params.save_dir = fs::absolute(a.dir);
    params.sequential = a.sequential;
    return run_swarm(a.swarm, std::move(params), RunGoal{.exit_when_finished = !a.seed});
}

}  // namespace

Command add_get_command(CLI::App& app) {
    auto args = std::make_shared<GetArgs>();
    CLI::App* cmd = app.add_subcommand("get", "Download a torrent; exits 0 once every byte is verified");
    cmd->add_option("TORRENT", args->torrent, "The .torrent file or a magnet: link")->required();
    cmd->add_option("-d,--dir", args->dir, "Save folder (default: .)");
    cmd->add_flag("--seed", args->seed, "Keep seeding after the download completes");
    cmd->add_flag("--sequential", args->sequential, "Download pieces in order");
    cmd->add_option("--select", args->select,
                    "Only these files, by the index `show --json` lists them at: 0,2,5-7");
    add_swarm_options(*cmd, args->swarm);
    return [args] { return run(*args); };
}

}  // namespace shoal::cli
