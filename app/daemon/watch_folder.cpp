#include "daemon/watch_folder.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "daemon/rpc_methods.hpp"
#include "metainfo/torrent_info.hpp"

namespace shoal::daemon {
namespace {

Result<std::string> read_torrent(const std::filesystem::path& file, std::uintmax_t size) {
    if (size > k_max_torrent_file_bytes) {
        return make_error(ErrorCode::too_large,
                          "larger than " + std::to_string(k_max_torrent_file_bytes / (1024 * 1024)) + " MiB");
    }
    std::ifstream in(file, std::ios::binary);
    std::string bytes(static_cast<std::size_t>(size), '\0');
    in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!in) return make_error(ErrorCode::io, "cannot read it");
    return bytes;
}

}  // namespace

WatchFolder::WatchFolder(boost::asio::io_context& io, control::TorrentControl& control, WatchSettings settings,
                         Report report, std::chrono::milliseconds interval)
    : timer_(io), control_(control), settings_(std::move(settings)), report_(std::move(report)), interval_(interval) {}

void WatchFolder::start() { schedule(); }

void WatchFolder::stop() { timer_.cancel(); }

void WatchFolder::set_settings(WatchSettings settings) {
    if (settings.folder != settings_.folder) {
        seen_.clear();
        stuck_.clear();
        folder_problem_.clear();
    }
    settings_ = std::move(settings);
}

void WatchFolder::schedule() {
    timer_.expires_after(interval_);
    timer_.async_wait([this](boost::system::error_code ec) {
        if (ec) return;
        scan();
        schedule();
    });
}

void WatchFolder::scan() {
    if (settings_.folder.empty()) return;
    std::map<std::filesystem::path, Seen> now;
    std::vector<std::filesystem::path> ready;
    std::error_code ec;
    std::filesystem::directory_iterator it(settings_.folder, ec);
    for (; !ec && it != std::filesystem::directory_iterator() && now.size() < k_max_tracked; it.increment(ec)) {
        const auto& path = it->path();
        std::error_code file_ec;
        if (path.extension() != ".torrent" || !it->is_regular_file(file_ec)) continue;
        Seen seen{it->file_size(file_ec), it->last_write_time(file_ec)};
        if (file_ec) continue;
        if (auto stuck = stuck_.find(path); stuck != stuck_.end() && stuck->second == seen) {
            now.emplace(path, seen);
            continue;
        }
        if (auto before = seen_.find(path); before != seen_.end() && before->second == seen) ready.push_back(path);
        now.emplace(path, seen);
    }
    const std::string problem = ec ? "watch_dir '" + settings_.folder.string() + "': " + ec.message() : "";
    if (!problem.empty() && problem != folder_problem_) report_(false, problem);
    folder_problem_ = problem;
    if (ec) return;
    std::erase_if(stuck_, [&](const auto& entry) { return !now.contains(entry.first); });
    std::sort(ready.begin(), ready.end());
    if (ready.size() > k_max_per_scan) ready.resize(k_max_per_scan);  // the rest in the next scans
    for (const auto& file : ready) {
        handle(file);
        now.erase(file);
    }
    seen_ = std::move(now);
}

void WatchFolder::handle(const std::filesystem::path& file) {
    const std::string name = file.filename().string();
    auto refuse = [&](const std::string& why) {
        report_(false, "watch_dir: " + name + ": " + why);
        mark(file, ".invalid");
    };
    auto bytes = read_torrent(file, seen_.at(file).size);
    if (!bytes) return refuse(bytes.error().message);
    auto info = parse_torrent(*bytes);
    if (!info) return refuse(info.error().message);
    control::AddTorrent request;
    request.info = std::make_shared<const TorrentInfo>(std::move(*info));
    request.metainfo = std::move(*bytes);
    request.save_dir = settings_.download_dir;
    request.incomplete_dir = settings_.incomplete_dir;
    auto added = control_.add(std::move(request));
    if (!added && added.error().code != ErrorCode::already_exists) return refuse(added.error().message);
    report_(true, "watch_dir: " + name + (added ? ": added" : ": already in the list"));
    mark(file, ".added");
}

void WatchFolder::mark(const std::filesystem::path& file, std::string_view suffix) {
    std::filesystem::path renamed = file;
    renamed += suffix;
    std::error_code ec;
    std::filesystem::rename(file, renamed, ec);
    if (!ec) return;
    report_(false, "watch_dir: cannot rename " + file.filename().string() + ": " + ec.message() +
                       " (it is left alone until it changes)");
    stuck_[file] = seen_.at(file);
}

}  // namespace shoal::daemon
