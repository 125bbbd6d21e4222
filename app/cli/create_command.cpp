#include <fmt/core.h>

#include <charconv>
#include <filesystem>
#include <memory>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/format.hpp"
#include "cli/progress_bar.hpp"
#include "cli/torrent_output.hpp"
#include "cli/version.hpp"
#include "creation/create_torrent.hpp"
#include "metainfo/magnet.hpp"
#include "web_seed/web_seed_url.hpp"

namespace fs = std::filesystem;

namespace shoal::cli {
namespace {

struct CreateArgs {
    std::string path;
    std::string output;
    std::vector<std::string> trackers;
    std::vector<std::string> web_seeds;
    std::string comment;
    bool is_private = false;
    std::string piece_size;
    bool v1 = false;
    bool v2 = false;
    bool hybrid = false;
    std::string source;
    bool no_date = false;
    bool hidden = false;
    bool force = false;
    unsigned threads = 0;
};

// "262144", "256K", "256KiB", "4M", "4MiB"
std::optional<std::int64_t> parse_piece_size(std::string_view text) {
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || value <= 0) return std::nullopt;
    std::string_view suffix(end, static_cast<std::size_t>(text.data() + text.size() - end));
    if (suffix == "K" || suffix == "k" || suffix == "KiB") return value * 1024;
    if (suffix == "M" || suffix == "m" || suffix == "MiB") return value * 1024 * 1024;
    if (suffix.empty()) return value;
    return std::nullopt;
}

int run(const CreateArgs& a) {
    CreateOptions o;
    o.format = a.v1 ? TorrentFormat::v1 : a.v2 ? TorrentFormat::v2 : TorrentFormat::hybrid;
    if (!a.piece_size.empty()) {
        auto size = parse_piece_size(a.piece_size);
        if (!size) {
            print_error("invalid piece size '" + a.piece_size + "' (use bytes, or a K or M suffix)");
            return k_exit_usage;
        }
        o.piece_length = *size;
    }
    o.trackers = tiers_from(a.trackers);
    o.web_seeds = a.web_seeds;
    o.is_private = a.is_private;
    o.comment = a.comment;
    o.source = a.source;
    o.created_by = std::string("Shoal/") + k_version;
    o.include_date = !a.no_date;
    o.include_hidden = a.hidden;
    o.threads = a.threads;

    fs::path source = fs::absolute(a.path).lexically_normal();
    if (source.filename().empty()) source = source.parent_path();
    const fs::path output = a.output.empty() ? fs::path(source.filename().string() + ".torrent")
                                             : fs::path(a.output);
    std::error_code ec;
    if (!a.force && fs::exists(output, ec)) {
        print_error("'" + output.string() + "' already exists (use --force to overwrite)");
        return k_exit_io;
    }

    ProgressBar bar("hashing");
    o.progress = [&](std::int64_t done, std::int64_t total) { bar.update(done, total); };
    auto created = create_torrent(a.path, o);
    bar.finish();
    if (!created) {
        print_error(created.error().message);
        return k_exit_bad_input;
    }

    auto written = write_torrent_file(output, created->bytes, a.force);
    if (!written) {
        print_error(written.error().message);
        return k_exit_io;
    }
    const TorrentInfo& t = created->info;
    fmt::print("created {}\n", output.string());
    fmt::print("  files: {}, size: {}, pieces: {} x {}\n",
               std::count_if(t.files.begin(), t.files.end(), [](auto& f) { return !f.pad; }),
               human_size(t.total_size), t.num_pieces, human_size(t.piece_length));
    if (t.info_hash_v1) fmt::print("  info-hash v1: {}\n", t.info_hash_v1->hex());
    if (t.info_hash_v2) fmt::print("  info-hash v2: {}\n", t.info_hash_v2->hex());
    fmt::print("  magnet: {}\n", to_uri(magnet_for(t)));
    return k_exit_ok;
}

}  // namespace

CLI::Option* add_web_seed_option(CLI::App& command, std::vector<std::string>& urls) {
    return command.add_option("-w,--web-seed", urls, "Web seed URL (BEP 19); repeatable")
        ->check(CLI::Validator(
            [](std::string& url) -> std::string {
                auto checked = web_seed::check_seed_url(url);
                return checked ? std::string{} : checked.error().message;
            },
            "URL"));
}

Command add_create_command(CLI::App& app) {
    auto args = std::make_shared<CreateArgs>();
    CLI::App* cmd = app.add_subcommand("create", "Create a .torrent file from a file or folder");
    cmd->add_option("PATH", args->path, "File or folder to share")->required();
    cmd->add_option("-o,--output", args->output, "Where to write the torrent (default NAME.torrent)");
    cmd->add_option("-t,--tracker", args->trackers,
                    "Tracker URL; repeat for more tiers, or join URLs of one tier with commas");
    add_web_seed_option(*cmd, args->web_seeds);
    cmd->add_option("-c,--comment", args->comment, "Comment");
    cmd->add_flag("-p,--private", args->is_private, "Private torrent (trackers only: no DHT, PEX, LSD)");
    cmd->add_option("-s,--piece-size", args->piece_size,
                    "Piece size in bytes (power of two, 16K..256M; K and M suffixes; default automatic)");
    auto* v1 = cmd->add_flag("--v1", args->v1, "v1 torrent (SHA-1 pieces only)");
    auto* v2 = cmd->add_flag("--v2", args->v2, "v2 torrent (SHA-256 merkle trees only)");
    auto* hybrid = cmd->add_flag("--hybrid", args->hybrid, "hybrid v1 + v2 torrent (the default)");
    v1->excludes(v2)->excludes(hybrid);
    v2->excludes(hybrid);
    cmd->add_option("--source", args->source, "Source tag (makes a distinct info-hash for private trackers)");
    cmd->add_flag("--no-date", args->no_date, "Leave out the creation date");
    cmd->add_flag("--hidden", args->hidden, "Include hidden files and folders");
    cmd->add_flag("-f,--force", args->force, "Overwrite the output file");
    cmd->add_option("--threads", args->threads, "Hashing threads (default: one per core)")
        ->check(CLI::Range(1u, 256u));
    return [args] { return run(*args); };
}

}  // namespace shoal::cli
