#pragma once
// A torrent's trackers: the announcer's lifetime (started, stopped, replaced when the
// trackers change, kept alive until its run() has ended) and what each tracker last replied,
// for the torrent's details. Network thread only.

#include <boost/asio/io_context.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "discovery/tracker/announcer.hpp"
#include "metainfo/torrent_info.hpp"
#include "session/events.hpp"
#include "util/alive_flag.hpp"

namespace shoal {

class TrackerList {
public:
    using Clock = std::chrono::steady_clock;

    // What the list asks of its torrent (one reference, not a callback each: a library holds
    // thousands of torrents).
    class Host {
    public:
        // Who the torrent is to its trackers, asked each time an announcer is made.
        virtual tracker_client::AnnounceIdentity tracker_identity() = 0;
        virtual tracker_client::TransferTotals tracker_totals() = 0;
        virtual void on_tracker_update(const tracker_client::TrackerUpdate& update) = 0;
        // The clock announces are timed by.
        virtual Clock::time_point tracker_now() { return Clock::now(); }

    protected:
        ~Host() = default;
    };

    // `host` outlives the list.
    TrackerList(boost::asio::io_context::executor_type executor, tracker_client::TrackerTransport& transport,
                std::vector<Tier> tiers, Host& host);
    ~TrackerList();
    TrackerList(const TrackerList&) = delete;
    TrackerList& operator=(const TrackerList&) = delete;

    // Starts announcing unless it is already, or there are no trackers.
    void start();
    // Tells the trackers we leave; start() announces again.
    void stop();
    // stop(), waiting (boundedly) until the announcer's run() has ended.
    boost::asio::awaitable<void> shutdown();
    bool running() const;
    // An announcer already running (a magnet link's, handed on with its connections): it
    // goes on as it was, so the trackers hear `started` once, and reports here from now on.
    void adopt(std::unique_ptr<tracker_client::Announcer> announcer);
    // Replaces the trackers; those dropped hear `stopped` if they were told `started`.
    void set_trackers(std::vector<Tier> tiers);
    void reannounce();
    // The port to announce changed: the running announcer says so at once (announcers made
    // later ask the identity source).
    void set_port(std::uint16_t port);
    // See Announcer::want_peers.
    void want_peers();
    void download_completed();

    // Remembers a tracker's reply for the details; returns the message to report.
    std::string record(const tracker_client::TrackerUpdate& update, Clock::time_point now = Clock::now());
    // Each tracker with its last reply and, while announcing, when it is asked next.
    std::vector<TrackerInfo> trackers(Clock::time_point now) const;

private:
    struct ReplySeen {
        bool ok = false;
        std::string message;
        int peers = -1;
        Clock::time_point at;
    };

    boost::asio::io_context::executor_type executor_;
    tracker_client::TrackerTransport& transport_;
    std::vector<Tier> tiers_;
    Host& host_;
    std::unique_ptr<tracker_client::Announcer> announcer_;
    // Stops the announcer and lets it go (to retired_).
    void retire();
    // The host's, as an announcer takes them.
    tracker_client::Announcer::TotalsSource totals();
    tracker_client::Announcer::UpdateSink on_update();
    bool any_running() const;

    // Stopped or replaced announcers, kept until their run() has seen the stop.
    std::vector<std::shared_ptr<tracker_client::Announcer>> retired_;
    std::map<std::string, ReplySeen> replies_;
    // Alive while shutdown() may still be waiting.
    AliveFlag alive_;
};

}  // namespace shoal
