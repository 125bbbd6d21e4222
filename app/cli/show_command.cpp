#include <boost/json/serialize.hpp>
#include <fmt/core.h>

#include <ctime>
#include <memory>

#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/format.hpp"
#include "cli/torrent_json.hpp"
#include "metainfo/magnet.hpp"

namespace shoal::cli {
namespace {

struct ShowArgs {
    std::string input;
    bool json = false;
};

std::string date_text(std::int64_t seconds) {
    const std::time_t t = static_cast<std::time_t>(seconds);
    std::tm tm{};
    char buf[64];
    if (!gmtime_r(&t, &tm) || std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0) {
        return std::to_string(seconds);
    }
    return buf;
}

void print_torrent(const TorrentInfo& t) {
    fmt::print("name:          {}\n", t.name);
    fmt::print("info-hash v1:  {}\n", t.info_hash_v1 ? t.info_hash_v1->hex() : "-");
    fmt::print("info-hash v2:  {}\n", t.info_hash_v2 ? t.info_hash_v2->hex() : "-");
    fmt::print("format:        {}\n", t.has_v1() && t.has_v2() ? "hybrid" : t.has_v2() ? "v2" : "v1");
    fmt::print("size:          {} ({} bytes)\n", human_size(t.total_size), t.total_size);
    fmt::print("pieces:        {} x {}\n", t.num_pieces, human_size(t.piece_length));
    fmt::print("private:       {}\n", t.is_private ? "yes" : "no");
    if (!t.created_by.empty()) fmt::print("created by:    {}\n", t.created_by);
    if (t.creation_date) fmt::print("created on:    {}\n", date_text(*t.creation_date));
    if (!t.comment.empty()) fmt::print("comment:       {}\n", t.comment);
    if (!t.source.empty()) fmt::print("source:        {}\n", t.source);
    for (std::size_t i = 0; i < t.trackers.size(); ++i) {
        for (const auto& url : t.trackers[i]) fmt::print("tracker:       tier {}: {}\n", i + 1, url);
    }
    for (const auto& url : t.web_seeds) fmt::print("web seed:      {}\n", url);
    fmt::print("files:\n");
    for (const FileEntry& f : t.files) {
        if (f.pad) continue;
        fmt::print("  {:>10}  {}{}\n", human_size(f.size), f.joined_path(), f.symlink ? " (symlink)" : "");
    }
    fmt::print("magnet:        {}\n", to_uri(magnet_for(t)));
}

void print_magnet(const MagnetLink& m) {
    fmt::print("name:          {}\n", m.display_name.empty() ? "-" : m.display_name);
    fmt::print("info-hash v1:  {}\n", m.info_hash_v1 ? m.info_hash_v1->hex() : "-");
    fmt::print("info-hash v2:  {}\n", m.info_hash_v2 ? m.info_hash_v2->hex() : "-");
    for (const auto& url : m.trackers) fmt::print("tracker:       {}\n", url);
    for (const auto& url : m.web_seeds) fmt::print("web seed:      {}\n", url);
    for (const auto& peer : m.peers) fmt::print("peer:          {}\n", peer);
    for (const auto& r : m.select_only) fmt::print("select files:  {}-{}\n", r.first, r.last);
}

int run(const ShowArgs& a) {
    if (a.input.starts_with("magnet:")) {
        auto m = parse_magnet(a.input);
        if (!m) {
            print_error(m.error().message);
            return k_exit_bad_input;
        }
        if (a.json) {
            fmt::print("{}\n", boost::json::serialize(magnet_to_json(*m)));
        } else {
            print_magnet(*m);
        }
        return k_exit_ok;
    }
    auto t = load_torrent(a.input);
    if (!t) {
        print_error(t.error().message);
        return k_exit_bad_input;
    }
    if (a.json) {
        fmt::print("{}\n", boost::json::serialize(torrent_to_json(*t)));
    } else {
        print_torrent(*t);
    }
    return k_exit_ok;
}

}  // namespace

Command add_show_command(CLI::App& app) {
    auto args = std::make_shared<ShowArgs>();
    CLI::App* cmd = app.add_subcommand("show", "Show what a .torrent file or magnet link holds");
    cmd->add_option("TORRENT_OR_MAGNET", args->input, "A .torrent file or a magnet: link")->required();
    cmd->add_flag("--json", args->json, "Print one JSON object");
    return [args] { return run(*args); };
}

}  // namespace shoal::cli
