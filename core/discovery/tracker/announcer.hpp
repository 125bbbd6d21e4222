#pragma once
// One torrent's trackers: BEP 12 tiers, intervals, retries with backoff and the
// started/completed/stopped events. The network sits behind TrackerTransport, time behind
// an injected clock, so the logic runs in tests without sockets.
//
// Tiers are announced to independently and at the same time, as libtorrent does with
// announce_to_all_tiers and Transmission always does: a tracker that never answers holds up
// its own tier only. Each tier has its own interval, next announce and `completed`; within a
// tier the trackers are tried in BEP 12 order until one answers, and that one moves to the
// front of its tier.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/steady_timer.hpp>

#include "discovery/tracker/announce_types.hpp"
#include "discovery/tracker/tracker_transport.hpp"

namespace shoal::tracker_client {

// Where the announcer reads the time; steady_clock::now unless a test injects its own.
using AnnounceClock = std::function<std::chrono::steady_clock::time_point()>;

// What stays the same in every announce of one torrent.
struct AnnounceIdentity {
    SwarmHash info_hash;
    PeerId peer_id{};
    std::uint16_t port = 0;
    std::uint32_t key = 0;
};

// The torrent's transfer counters at the moment of an announce.
struct TransferTotals {
    std::int64_t uploaded = 0;
    std::int64_t downloaded = 0;
    std::int64_t left = 0;
};

// Timing and politeness of an announcer.
struct AnnouncerOptions {
    // Used when a tracker's interval is missing or below the floor.
    std::chrono::seconds default_interval{1800};
    // A tracker asking for announces more often than this is not obeyed.
    std::chrono::seconds interval_floor{60};
    // After a tracker's n-th failure in a row it rests retry_base * 2^(n-1), at most retry_max.
    std::chrono::seconds retry_base{15};
    std::chrono::seconds retry_max{3600};
    // The least time between an answer and an early announce for want_peers().
    std::chrono::seconds want_peers_gap{20};
    // How long stop() may spend telling trackers we leave (all of them at once).
    std::chrono::milliseconds stop_timeout{5000};
    std::int32_t numwant = 200;
    // Seeds the BEP 12 tier shuffle; random when empty.
    std::optional<std::uint64_t> shuffle_seed;
};

// One tracker's reply to, or failure of, one announce; the torrent turns it into an event.
struct TrackerUpdate {
    std::string url;
    std::size_t tier = 0;
    TrackerEvent event = TrackerEvent::none;  // the event the announce carried
    bool ok = false;
    std::vector<boost::asio::ip::tcp::endpoint> peers;
    std::optional<std::int64_t> seeders;
    std::optional<std::int64_t> leechers;
    std::optional<std::int64_t> downloaded;
    // Where the tracker sees us (BEP 24), and the tracker's address, when both are known.
    std::optional<boost::asio::ip::address> external_ip;
    std::optional<boost::asio::ip::address> tracker_address;
    // The failure for !ok, else the tracker's warning (often empty).
    std::string message;
    // When this tracker's tier announces again (for a failure: the end of the tracker's rest).
    std::chrono::steady_clock::time_point next_announce;
};

// What the announcer knows about one tracker.
struct TrackerStatus {
    std::string url;
    std::size_t tier = 0;
    int failures = 0;  // in a row
    std::chrono::steady_clock::time_point retry_at{};
    bool started_sent = false;
    bool announcing = false;
    std::string tracker_id;
};

// Announces one torrent to its trackers; owned by the torrent, used on the network thread.
class Announcer {
  public:
    // Receives every tracker reply or failure as it happens.
    using UpdateSink = std::function<void(const TrackerUpdate&)>;
    // Reports the torrent's counters when an announce is built.
    using TotalsSource = std::function<TransferTotals()>;

    // Empty tiers and repeated URLs are dropped; each tier is shuffled once here.
    Announcer(boost::asio::any_io_executor executor, AnnounceIdentity identity,
              std::vector<std::vector<std::string>> tiers, TrackerTransport& transport,
              TotalsSource totals, UpdateSink on_update, AnnouncerOptions options = {},
              AnnounceClock clock = {});

    // Announces to each tier whenever it is due until stop(); spawn it once on the network
    // thread. It ends once the passes it started have wound up; the announcer must outlive it.
    boost::asio::awaitable<void> run();
    // Ends run(), abandons the announces under way and sends `stopped` to every tracker that
    // was told `started` (or was being told), all at once, within options.stop_timeout.
    // Afterwards run() may start over with `started`.
    boost::asio::awaitable<void> stop();

    // The download finished: each tier's next announce, due now, carries `completed` (once
    // per tier; a tier whose first answer comes later hears `started` with left = 0 instead).
    void download_completed();
    // Announce as soon as each tier's min interval allows (a user's "reannounce").
    void reannounce();
    // The torrent has no peer left to try: each tier that has answered announces again early,
    // once its min interval and options.want_peers_gap have passed since that answer. At most
    // once per interval, so a torrent nobody serves asks its trackers at most twice as often
    // as they want; trackers resting after failures keep resting.
    void want_peers();
    // Spawns run() on the announcer's executor; running() is true from now until it ends
    // (which may be a little after a stop(), while it winds up).
    void start();
    bool running() const { return runs_ > 0; }
    // A new owner (a magnet link's fetch hands its announcer to the torrent): counters and
    // replies go there from now on, while the trackers keep what they were told.
    void set_sinks(TotalsSource totals, UpdateSink on_update);
    // The port announces name from now on (a port mapping gave another external port).
    void set_port(std::uint16_t port) { identity_.port = port; }

    // Starts a pass on every tier that is due (see announce_tier) and returns when all of
    // them are done. run() starts passes itself; public so tests can step the announcer
    // (not while run() is running).
    boost::asio::awaitable<void> announce_round();

    // When the earliest tier announces next.
    std::chrono::steady_clock::time_point next_announce_at() const;
    // When tier `tier` announces next (in the past while its pass is under way).
    std::chrono::steady_clock::time_point next_announce_at(std::size_t tier) const;
    // Tiers in their current order (answering trackers move to the front of their tier).
    const std::vector<std::vector<TrackerStatus>>& tiers() const { return tiers_; }

  private:
    // What a tier knows beyond its trackers.
    struct TierSchedule {
        std::chrono::steady_clock::time_point next_announce{};
        std::chrono::steady_clock::time_point last_success{};
        std::chrono::seconds min_interval{0};
        std::chrono::seconds interval{0};
        // When want_peers() last brought the next announce forward.
        std::chrono::steady_clock::time_point early_at{};
        bool completed_pending = false;
    };
    // A tier's pass under way; stop() cancels it through `cancel`.
    struct Pass {
        std::uint64_t id = 0;
        std::size_t tier = 0;
        std::uint64_t generation = 0;
        std::shared_ptr<boost::asio::cancellation_signal> cancel;
    };

    // One BEP 12 pass over one tier: its trackers in order until one answers.
    boost::asio::awaitable<void> announce_tier(std::size_t tier, std::uint64_t generation);
    void start_due_passes();
    void start_pass(std::size_t tier);
    void finish_pass(std::uint64_t id);
    bool busy(std::size_t tier) const;
    bool any_busy() const;
    std::chrono::steady_clock::time_point earliest_idle_due() const;

    TrackerEvent event_for(const TrackerStatus& tracker) const;
    AnnounceRequest make_request(const TrackerStatus& tracker, TrackerEvent event) const;
    boost::asio::awaitable<Result<AnnounceResponse>> call(std::string url, AnnounceRequest request);
    boost::asio::awaitable<void> send_stopped(std::vector<std::string> urls);
    boost::asio::awaitable<void> send_one_stopped(std::string url);
    TrackerStatus* find(const std::string& url);
    void record_success(const std::string& url, TrackerEvent event,
                        const AnnounceResponse& response, bool completed_was_pending);
    void record_failure(const std::string& url, TrackerEvent event, const std::string& message);
    void wake();

    boost::asio::any_io_executor executor_;
    AnnounceIdentity identity_;
    std::vector<std::vector<TrackerStatus>> tiers_;
    TrackerTransport& transport_;
    TotalsSource totals_;
    UpdateSink on_update_;
    AnnouncerOptions options_;
    AnnounceClock clock_;

    std::vector<TierSchedule> schedule_;  // one per tier
    std::vector<Pass> passes_;
    std::uint64_t next_pass_id_ = 0;
    // Advanced by stop(): passes and run()s of an earlier generation are over.
    std::uint64_t generation_ = 0;
    bool completed_seen_ = false;
    int runs_ = 0;
    // run() sleeps on it until a tier is due; wake() cuts the sleep short.
    boost::asio::steady_timer wake_timer_;
    // announce_round() waits on it for its passes.
    boost::asio::steady_timer idle_timer_;
};

}  // namespace shoal::tracker_client
