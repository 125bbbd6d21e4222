// GCC 12 at -O3 misreads Asio's recycled coroutine frames as freeing a non-heap pointer
// (-Wfree-nonheap-object, a false positive); the frames come from operator new.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wfree-nonheap-object"
#endif

#include "discovery/tracker/announcer.hpp"

#include <algorithm>
#include <exception>
#include <random>
#include <set>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace shoal::tracker_client {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
using TimePoint = std::chrono::steady_clock::time_point;

namespace {
constexpr auto k_use = asio::as_tuple(asio::use_awaitable);
}  // namespace

Announcer::Announcer(asio::any_io_executor executor, AnnounceIdentity identity,
                     std::vector<std::vector<std::string>> tiers, TrackerTransport& transport,
                     TotalsSource totals, UpdateSink on_update, AnnouncerOptions options,
                     AnnounceClock clock)
    : executor_(executor),
      identity_(identity),
      transport_(transport),
      totals_(std::move(totals)),
      on_update_(std::move(on_update)),
      options_(options),
      clock_(clock ? std::move(clock)
                   : AnnounceClock([] { return std::chrono::steady_clock::now(); })),
      wake_timer_(executor),
      abort_timer_(executor) {
    std::mt19937_64 rng(options_.shuffle_seed ? *options_.shuffle_seed : std::random_device{}());
    std::set<std::string> seen;
    for (auto& tier : tiers) {
        std::vector<TrackerStatus> kept;
        for (auto& url : tier) {
            if (url.empty() || !seen.insert(url).second)
                continue;
            TrackerStatus status;
            status.url = std::move(url);
            status.tier = tiers_.size();
            kept.push_back(std::move(status));
        }
        if (kept.empty())
            continue;
        std::shuffle(kept.begin(), kept.end(), rng);
        tiers_.push_back(std::move(kept));
    }
    next_announce_ = tiers_.empty() ? TimePoint::max() : clock_();
}

TrackerEvent Announcer::event_for(const TrackerStatus& tracker) const {
    if (!tracker.started_sent)
        return TrackerEvent::started;
    if (completed_pending_)
        return TrackerEvent::completed;
    return TrackerEvent::none;
}

AnnounceRequest Announcer::make_request(const TrackerStatus& tracker, TrackerEvent event) const {
    AnnounceRequest request;
    request.info_hash = identity_.info_hash;
    request.peer_id = identity_.peer_id;
    request.port = identity_.port;
    request.key = identity_.key;
    if (totals_) {
        auto totals = totals_();
        request.uploaded = totals.uploaded;
        request.downloaded = totals.downloaded;
        request.left = totals.left;
    }
    request.event = event;
    // A leaving peer has no use for peers.
    request.numwant = event == TrackerEvent::stopped ? 0 : options_.numwant;
    request.tracker_id = tracker.tracker_id;
    return request;
}

TrackerStatus* Announcer::find(const std::string& url) {
    for (auto& tier : tiers_)
        for (auto& tracker : tier)
            if (tracker.url == url)
                return &tracker;
    return nullptr;
}

asio::awaitable<Result<AnnounceResponse>> Announcer::call(std::string url,
                                                          AnnounceRequest request) {
    // A transport that throws must not take the announcer (or the io loop) down.
    try {
        co_return co_await transport_.announce(url, std::move(request));
    } catch (const std::exception& e) {
        co_return make_error("tracker " + url + ": " + e.what());
    }
}

void Announcer::record_success(const std::string& url, TrackerEvent event,
                               const AnnounceResponse& response, bool completed_was_pending) {
    TrackerStatus* tracker = find(url);
    if (!tracker)
        return;
    tracker->failures = 0;
    tracker->retry_at = {};
    tracker->announcing = false;
    tracker->started_sent = true;
    if (!response.tracker_id.empty())
        tracker->tracker_id = response.tracker_id;
    // `started` sent after completion already told the tracker we are a seed (left = 0).
    if (completed_was_pending &&
        (event == TrackerEvent::completed || event == TrackerEvent::started))
        completed_pending_ = false;

    std::chrono::seconds interval{response.interval};
    if (response.interval <= 0)
        interval = options_.default_interval;
    interval = std::max(interval, options_.interval_floor);
    min_interval_ = std::chrono::seconds(
        std::clamp<std::int64_t>(response.min_interval.value_or(0), 0, interval.count()));
    const TimePoint now = clock_();
    last_success_ = now;
    next_announce_ = now + interval;

    TrackerUpdate update;
    update.url = url;
    update.tier = tracker->tier;
    update.event = event;
    update.ok = true;
    update.peers = response.peers;
    update.seeders = response.seeders;
    update.leechers = response.leechers;
    update.downloaded = response.downloaded;
    update.message = response.warning_message;
    update.next_announce = next_announce_;

    // BEP 12: a tracker that answered goes to the front of its tier.
    auto& tier = tiers_[tracker->tier];
    auto it = std::find_if(tier.begin(), tier.end(), [&](const auto& t) { return t.url == url; });
    std::rotate(tier.begin(), it, it + 1);

    if (on_update_)
        on_update_(update);
}

void Announcer::record_failure(const std::string& url, TrackerEvent event,
                               const std::string& message) {
    TrackerStatus* tracker = find(url);
    if (!tracker)
        return;
    tracker->announcing = false;
    tracker->failures += 1;
    auto rest = options_.retry_base * (std::int64_t{1} << std::min(tracker->failures - 1, 20));
    rest = std::min<std::chrono::seconds>(rest, options_.retry_max);
    tracker->retry_at = clock_() + rest;

    TrackerUpdate update;
    update.url = url;
    update.tier = tracker->tier;
    update.event = event;
    update.ok = false;
    update.message = message;
    update.next_announce = tracker->retry_at;
    if (on_update_)
        on_update_(update);
}

asio::awaitable<void> Announcer::announce_round() {
    for (std::size_t tier = 0; tier < tiers_.size(); ++tier) {
        // The order at the start of the round; successes reorder the tier as we go.
        std::vector<std::string> order;
        for (const auto& tracker : tiers_[tier])
            order.push_back(tracker.url);
        for (const auto& url : order) {
            if (stopping_)
                co_return;
            TrackerStatus* tracker = find(url);
            if (!tracker || tracker->retry_at > clock_())
                continue;
            const TrackerEvent event = event_for(*tracker);
            const bool completed_was_pending = completed_pending_;
            auto request = make_request(*tracker, event);
            tracker->announcing = true;
            auto result = co_await call(url, std::move(request));
            // Stopping abandons the round; stop() owns what the trackers hear next.
            if (stopping_)
                co_return;
            if (result) {
                record_success(url, event, *result, completed_was_pending);
                co_return;
            }
            record_failure(url, event, result.error().message);
        }
    }
    // Nobody answered: try again when the first tracker's rest is over.
    TimePoint earliest = TimePoint::max();
    for (const auto& tier : tiers_)
        for (const auto& tracker : tier)
            earliest = std::min(earliest, tracker.retry_at);
    next_announce_ = std::max(earliest, clock_());
}

asio::awaitable<void> Announcer::run() {
    stopping_ = false;
    abort_timer_.expires_at(TimePoint::max());
    try {
        while (!stopping_) {
            const TimePoint now = clock_();
            if (next_announce_ > now) {
                if (next_announce_ == TimePoint::max())
                    wake_timer_.expires_at(TimePoint::max());
                else
                    wake_timer_.expires_after(next_announce_ - now);
                co_await wake_timer_.async_wait(k_use);
                continue;
            }
            co_await (announce_round() || abort_timer_.async_wait(k_use));
        }
    } catch (const std::exception&) {
        // Only allocation failures get here; the torrent learns of the tracker through
        // the missing updates rather than through a crashed network thread.
    }
}

asio::awaitable<void> Announcer::send_stopped() {
    std::vector<std::string> told;
    for (const auto& tier : tiers_)
        for (const auto& tracker : tier)
            if (tracker.started_sent || tracker.announcing)
                told.push_back(tracker.url);
    for (const auto& url : told) {
        TrackerStatus* tracker = find(url);
        if (!tracker)
            continue;
        auto result = co_await call(url, make_request(*tracker, TrackerEvent::stopped));
        TrackerUpdate update;
        update.url = url;
        update.tier = tracker->tier;
        update.event = TrackerEvent::stopped;
        update.ok = result.ok();
        update.message = result ? result->warning_message : result.error().message;
        update.next_announce = TimePoint::max();
        tracker->started_sent = false;
        tracker->announcing = false;
        if (on_update_)
            on_update_(update);
    }
}

asio::awaitable<void> Announcer::stop() {
    stopping_ = true;
    wake_timer_.cancel();
    abort_timer_.cancel();
    asio::steady_timer deadline(executor_);
    deadline.expires_after(options_.stop_timeout);
    try {
        co_await (send_stopped() || deadline.async_wait(k_use));
    } catch (const std::exception&) {
    }
    for (auto& tier : tiers_)
        for (auto& tracker : tier) {
            tracker.started_sent = false;
            tracker.announcing = false;
        }
    next_announce_ = tiers_.empty() ? TimePoint::max() : clock_();
}

void Announcer::download_completed() {
    if (completed_seen_)
        return;
    completed_seen_ = true;
    completed_pending_ = true;
    next_announce_ = std::min(next_announce_, clock_());
    wake();
}

void Announcer::reannounce() {
    for (auto& tier : tiers_)
        for (auto& tracker : tier)
            tracker.retry_at = {};
    if (!tiers_.empty())
        next_announce_ = std::max(clock_(), last_success_ + min_interval_);
    wake();
}

void Announcer::wake() {
    wake_timer_.cancel();
}

}  // namespace shoal::tracker_client
