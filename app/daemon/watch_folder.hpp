#pragma once
// watch_dir: a folder scanned every few seconds for .torrent files. Each one whose size and
// modification time held still between two scans is added through the control layer (into
// the daemon's download folder) and renamed NAME.torrent.added, or NAME.torrent.invalid when
// it cannot be read, parsed or added. A torrent already in the list counts as added.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <string>

#include "control/torrent_control.hpp"

namespace shoal::daemon {

struct WatchSettings {
    std::filesystem::path folder;        // empty: nothing is watched
    std::filesystem::path download_dir;  // where the torrents' data goes
    std::filesystem::path incomplete_dir;  // where it waits until complete; empty: none
};

class WatchFolder {
public:
    // What happened to a file, for the log: `added` false for a file renamed .invalid or
    // one that could not be renamed.
    using Report = std::function<void(bool added, const std::string& message)>;

    static constexpr std::size_t k_max_per_scan = 16;
    static constexpr std::size_t k_max_tracked = 4096;  // files followed between two scans

    WatchFolder(boost::asio::io_context& io, control::TorrentControl& control, WatchSettings settings,
                Report report, std::chrono::milliseconds interval = std::chrono::seconds(2));

    // Scans every interval until stop().
    void start();
    void stop();
    // Takes effect from the next scan.
    void set_settings(WatchSettings settings);
    const WatchSettings& settings() const { return settings_; }

    // One scan, as the timer runs it.
    void scan();

private:
    struct Seen {
        std::uintmax_t size = 0;
        std::filesystem::file_time_type modified;
        bool operator==(const Seen&) const = default;
    };
    void handle(const std::filesystem::path& file);
    void mark(const std::filesystem::path& file, std::string_view suffix);
    void schedule();

    boost::asio::steady_timer timer_;
    control::TorrentControl& control_;
    WatchSettings settings_;
    Report report_;
    std::chrono::milliseconds interval_;
    std::map<std::filesystem::path, Seen> seen_;    // as of the last scan
    std::map<std::filesystem::path, Seen> stuck_;   // handled, but could not be renamed
    std::string folder_problem_;                    // said once until it changes
};

}  // namespace shoal::daemon
