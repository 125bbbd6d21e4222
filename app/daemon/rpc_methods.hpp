#pragma once
// Transmission's RPC methods (docs/rpc-spec.md, RPC version 17) over the control layer: one
// JSON request in, one JSON answer out, carrying the request's tag. What Shoal cannot do is
// said in `result`.

#include <boost/json.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "control/torrent_control.hpp"
#include "daemon/alt_speed_schedule.hpp"
#include "daemon/runtime_settings.hpp"
#include "daemon/saved_settings.hpp"

namespace shoal::daemon {

inline constexpr int k_rpc_version = 17;
inline constexpr int k_rpc_version_minimum = 14;
inline constexpr std::size_t k_max_torrent_file_bytes = 64 * 1024 * 1024;

// What a torrent-add URL gave: a .torrent file's bytes, or the magnet link it redirected to.
struct FetchedTorrent {
    std::string metainfo;
    std::string magnet;
};
// Fetches an http or https URL sending `cookies` (Transmission's `cookies` argument, "" for
// none), and calls `done` once, later, on the RPC's thread.
using TorrentFetch = std::function<void(const std::string& url, const std::string& cookies,
                                        std::function<void(Result<FetchedTorrent>)> done)>;

class RpcMethods {
public:
    // Applies the session-set changes kept in `facts.saved_settings` over the config's settings.
    RpcMethods(control::TorrentControl& control, DaemonFacts facts,
               std::function<std::chrono::steady_clock::time_point()> now = [] {
                   return std::chrono::steady_clock::now();
               });

    // A request body in, the answer's body out (always a JSON object with `result`).
    // torrent-add of an http or https URL needs `reply`'s form.
    std::string handle(std::string_view body);
    // As above; `reply` is called once, at once or (torrent-add of a URL) when the URL is
    // fetched. It is not called once these methods are gone.
    void handle(std::string_view body, std::function<void(std::string)> reply);
    // How torrent-add fetches a URL; without it, it refuses URLs.
    void set_torrent_fetch(TorrentFetch fetch) { fetch_ = std::move(fetch); }

    // While the torrents are restored at start-up: what only reads (session-get and -stats,
    // torrent-get of the torrents back so far, free-space, port-test, session-close) is
    // answered at once; a request that changes something waits, in arrival order, until
    // set_restoring(false) answers it (more than a few hundred waiting are refused).
    void set_restoring(bool restoring);

    // Called for session-close, after its answer is made.
    void on_close(std::function<void()> close) { close_ = std::move(close); }
    const RuntimeSettings& runtime() const { return runtime_; }

    // The config file read again (SIGHUP): each setting it now says otherwise replaces what runs
    // (a session-set change of it too); the rest stays as it runs. The download folder waits
    // for a restart.
    void config_changed(const DaemonFacts& read);
    // Called every few seconds: at the schedule's edges the alternative speeds go on or off,
    // and a change by hand holds until the next edge.
    void follow_schedule(LocalMinute now);
    // What went wrong since the last call (a settings file that could not be read or written),
    // for the log.
    std::vector<std::string> take_problems() { return std::exchange(problems_, {}); }

private:
    using Answer = Result<boost::json::object>;
    Answer call(std::string_view method, const boost::json::object& args);
    Answer session_get(const boost::json::object& args);
    Answer session_set(const boost::json::object& args);
    Answer session_stats();
    Answer free_space(const boost::json::object& args);
    Answer torrent_set(const boost::json::object& args);
    Answer torrent_rename_path(const boost::json::object& args);
    Answer torrent_set_location(const boost::json::object& args);
    // Moves the torrents' data to `location`, or (without `move`) looks for it there.
    Answer move_torrents(const std::vector<control::TorrentSummary>& torrents, const boost::json::value& location,
                         bool move);
    // Everything session-get reports.
    boost::json::object session_values();
    Result<Done> apply_runtime(const RuntimeSettings& next);
    // torrent-add; `fetched` is what its URL gave.
    Answer torrent_add(const boost::json::object& args, const FetchedTorrent* fetched = nullptr);
    // torrent-add's arguments besides the torrent and its files (folder, labels, paused…)
    // into `request`: checked before a URL is fetched, as well as when the torrent is added.
    Result<Done> read_add_options(const boost::json::object& args, control::AddTorrent& request) const;
    // The answer's text for the request `r`.
    std::string answer_text(const boost::json::object& r, Answer result);
    Answer torrent_get(const boost::json::object& args);
    Answer torrent_action(std::string_view method, const boost::json::object& args);
    Answer torrent_remove(const boost::json::object& args);
    Answer queue_move(std::string_view method, const boost::json::object& args);
    // The torrents `ids` names (all when absent), in the order they were added.
    Result<std::vector<control::TorrentSummary>> select(const boost::json::object& args) const;
    // For `ids: "recently-active"`; notes what it sees.
    bool recently_active(const control::TorrentSummary& s);

    control::TorrentControl& control_;
    DaemonFacts facts_;
    std::function<std::chrono::steady_clock::time_point()> now_;
    std::chrono::steady_clock::time_point started_;
    RuntimeSettings config_;   // as the config file says
    RuntimeSettings runtime_;  // what runs: the config's with session-set's changes
    SavedSettings saved_;
    std::optional<bool> schedule_seen_;  // whether the schedule was on at the last look
    std::vector<std::string> problems_;
    std::function<void()> close_;
    TorrentFetch fetch_;
    bool restoring_ = false;
    struct Waiting {
        std::string body;
        std::function<void(std::string)> reply;
    };
    std::vector<Waiting> waiting_;  // while restoring
    std::size_t waiting_bytes_ = 0;
    // Fetches that finish after these methods are gone find it expired.
    std::shared_ptr<char> alive_ = std::make_shared<char>();
    // For recently-active: when each torrent was last seen active (moving data, checking, or
    // changing state), and when torrents left the list.
    std::map<std::uint32_t, std::chrono::steady_clock::time_point> removed_at_;
    struct Activity {
        TorrentState state;
        std::chrono::steady_clock::time_point last_active;
    };
    std::map<std::uint32_t, Activity> activity_;
    std::int64_t removed_uploaded_ = 0;  // this run's bytes of torrents removed since
    std::int64_t removed_downloaded_ = 0;
    std::int64_t added_ = 0;
};

}  // namespace shoal::daemon
