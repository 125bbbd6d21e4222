#include <boost/json/serialize.hpp>
#include <fmt/core.h>

#include <memory>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/format.hpp"
#include "cli/progress_bar.hpp"
#include "cli/torrent_json.hpp"
#include "storage/verify.hpp"

namespace shoal::cli {
namespace {

struct VerifyArgs {
    std::string torrent;
    std::string data_dir = ".";
    bool json = false;
    unsigned threads = 0;
};

// "3-7, 9" from ascending indices.
std::string ranges(const std::vector<std::int64_t>& pieces) {
    std::string out;
    for (std::size_t i = 0; i < pieces.size();) {
        std::size_t j = i;
        while (j + 1 < pieces.size() && pieces[j + 1] == pieces[j] + 1) ++j;
        if (!out.empty()) out += ", ";
        out += std::to_string(pieces[i]);
        if (j > i) out += "-" + std::to_string(pieces[j]);
        i = j + 1;
    }
    return out;
}

int run(const VerifyArgs& a) {
    auto t = load_torrent(a.torrent);
    if (!t) {
        print_error(t.error().message);
        return k_exit_bad_input;
    }
    std::error_code ec;
    if (!std::filesystem::is_directory(a.data_dir, ec)) {
        print_error("'" + a.data_dir + "' is not a folder (-d is the folder that holds the torrent's data)");
        return k_exit_bad_input;
    }
    ProgressBar bar("checking");
    VerifyOptions o;
    o.threads = a.threads;
    o.progress = [&](std::int64_t done, std::int64_t total) { bar.update(done, total); };
    const VerifyReport r = verify_torrent(*t, a.data_dir, o);
    bar.finish();

    if (a.json) {
        fmt::print("{}\n", boost::json::serialize(verify_report_to_json(*t, r)));
    } else {
        for (const auto& p : r.file_problems) {
            const auto& f = t->files[p.file];
            if (p.kind == FileProblem::Kind::wrong_size) {
                fmt::print("{}: wrong size ({} bytes, expected {})\n", f.joined_path(), p.actual_size,
                           p.expected_size);
            } else {
                fmt::print("{}: {}\n", f.joined_path(), to_string(p.kind));
            }
        }
        if (!r.bad_pieces.empty()) fmt::print("bad pieces: {}\n", ranges(r.bad_pieces));
        fmt::print("{}: {} of {} pieces good{}\n", r.ok() ? "ok" : "FAILED", r.good_pieces,
                   r.num_pieces,
                   r.file_problems.empty() ? ""
                                           : fmt::format(", {} file problems", r.file_problems.size()));
    }
    return r.ok() ? k_exit_ok : k_exit_verify_failed;
}

}  // namespace

Command add_verify_command(CLI::App& app) {
    auto args = std::make_shared<VerifyArgs>();
    CLI::App* cmd = app.add_subcommand("verify", "Check data on disk against a .torrent file");
    cmd->add_option("TORRENT", args->torrent, "The .torrent file")->required();
    cmd->add_option("-d,--data-dir", args->data_dir,
                    "Save folder: the one holding the torrent's file or top folder (default: .)");
    cmd->add_flag("--json", args->json, "Print one JSON object");
    cmd->add_option("--threads", args->threads, "Hashing threads (default: one per core)")
        ->check(CLI::Range(1u, 256u));
    return [args] { return run(*args); };
}

}  // namespace shoal::cli
