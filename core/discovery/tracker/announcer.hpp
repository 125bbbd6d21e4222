#pragma once
// One torrent's trackers: BEP 12 tiers, intervals, retries with backoff and the
// started/completed/stopped events. The network sits behind TrackerTransport, time behind
// an injected clock, so the logic runs in tests without sockets.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "discovery/tracker/announce_types.hpp"
#include "discovery/tracker/tracker_transport.hpp"

namespace shoal::tracker_client {

// Where the announcer reads the time; steady_clock::now unless a test injects its own.
using AnnounceClock = std::function<std::chrono::steady_clock::time_point()>;

// What stays the same in every announce of one torrent.
struct AnnounceIdentity {
    InfoHashV1 info_hash;
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
    // How long stop() may spend telling trackers we leave.
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
    // The failure for !ok, else the tracker's warning (often empty).
    std::string message;
    // When this tracker will be asked again (for a failure: the end of its rest).
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

    // Announces whenever due until stop(); spawn it once on the network thread. The
    // announcer must outlive it.
    boost::asio::awaitable<void> run();
    // Ends run() and sends `stopped` to trackers that were told `started`, within
    // options.stop_timeout. Afterwards run() may start over with `started`.
    boost::asio::awaitable<void> stop();

    // The download finished: the next announce, due now, carries `completed` (once).
    void download_completed();
    // Announce as soon as the last tracker's min interval allows (a user's "reannounce").
    void reannounce();

    // One BEP 12 pass: tiers in order, trackers of a tier in order until one answers.
    // run() calls it when due; public so tests can step it.
    boost::asio::awaitable<void> announce_round();

    std::chrono::steady_clock::time_point next_announce_at() const { return next_announce_; }
    // Tiers in their current order (answering trackers move to the front of their tier).
    const std::vector<std::vector<TrackerStatus>>& tiers() const { return tiers_; }

  private:
    TrackerEvent event_for(const TrackerStatus& tracker) const;
    AnnounceRequest make_request(const TrackerStatus& tracker, TrackerEvent event) const;
    boost::asio::awaitable<Result<AnnounceResponse>> call(std::string url, AnnounceRequest request);
    boost::asio::awaitable<void> send_stopped();
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

    std::chrono::steady_clock::time_point next_announce_{};
    std::chrono::steady_clock::time_point last_success_{};
    std::chrono::seconds min_interval_{0};
    bool completed_pending_ = false;
    bool completed_seen_ = false;
    bool stopping_ = false;
    boost::asio::steady_timer wake_timer_;
    boost::asio::steady_timer abort_timer_;
};

}  // namespace shoal::tracker_client
