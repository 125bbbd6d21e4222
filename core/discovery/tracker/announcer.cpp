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
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/this_coro.hpp>
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
      idle_timer_(executor) {
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
    schedule_.resize(tiers_.size());
    for (auto& tier : schedule_)
        tier.next_announce = clock_();
}

TimePoint Announcer::next_announce_at(std::size_t tier) const {
    return tier < schedule_.size() ? schedule_[tier].next_announce : TimePoint::max();
}

TimePoint Announcer::next_announce_at() const {
    TimePoint earliest = TimePoint::max();
    for (const auto& tier : schedule_)
        earliest = std::min(earliest, tier.next_announce);
    return earliest;
}

TrackerEvent Announcer::event_for(const TrackerStatus& tracker) const {
    if (!tracker.started_sent)
        return TrackerEvent::started;
    if (schedule_[tracker.tier].completed_pending)
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
    TierSchedule& schedule = schedule_[tracker->tier];
    tracker->failures = 0;
    tracker->retry_at = {};
    tracker->announcing = false;
    tracker->started_sent = true;
    if (!response.tracker_id.empty())
        tracker->tracker_id = response.tracker_id;
    // `started` sent after completion already told the tracker we are a seed (left = 0).
    if (completed_was_pending &&
        (event == TrackerEvent::completed || event == TrackerEvent::started))
        schedule.completed_pending = false;

    std::chrono::seconds interval{response.interval};
    if (response.interval <= 0)
        interval = options_.default_interval;
    interval = std::max(interval, options_.interval_floor);
    schedule.min_interval = std::chrono::seconds(
        std::clamp<std::int64_t>(response.min_interval.value_or(0), 0, interval.count()));
    const TimePoint now = clock_();
    schedule.interval = interval;
    schedule.last_success = now;
    schedule.next_announce = now + interval;
    // The download finished while this announce was under way: `completed` goes out now.
    if (schedule.completed_pending)
        schedule.next_announce = now;

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
    update.external_ip = response.external_ip;
    update.tracker_address = response.tracker_address;
    update.next_announce = schedule.next_announce;

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

asio::awaitable<void> Announcer::announce_tier(std::size_t tier, std::uint64_t generation) {
    // The order at the start of the pass; a success reorders the tier.
    std::vector<std::string> order;
    for (const auto& tracker : tiers_[tier])
        order.push_back(tracker.url);
    for (const auto& url : order) {
        // A stop before the pass got going (or between its trackers) ends it.
        if (generation != generation_)
            co_return;
        TrackerStatus* tracker = find(url);
        if (!tracker || tracker->retry_at > clock_())
            continue;
        const TrackerEvent event = event_for(*tracker);
        const bool completed_was_pending = schedule_[tier].completed_pending;
        auto request = make_request(*tracker, event);
        tracker->announcing = true;
        auto result = co_await call(url, std::move(request));
        // A stop abandoned the pass; stop() owns what the trackers hear next.
        if (generation != generation_)
            co_return;
        if (result) {
            record_success(url, event, *result, completed_was_pending);
            co_return;
        }
        record_failure(url, event, result.error().message);
    }
    // Nobody in the tier answered: try again when its first tracker's rest is over.
    TimePoint earliest = TimePoint::max();
    for (const auto& tracker : tiers_[tier])
        earliest = std::min(earliest, tracker.retry_at);
    schedule_[tier].next_announce = std::max(earliest, clock_());
}

bool Announcer::busy(std::size_t tier) const {
    return std::any_of(passes_.begin(), passes_.end(), [&](const Pass& pass) {
        return pass.tier == tier && pass.generation == generation_;
    });
}

bool Announcer::any_busy() const {
    return std::any_of(passes_.begin(), passes_.end(),
                       [&](const Pass& pass) { return pass.generation == generation_; });
}

TimePoint Announcer::earliest_idle_due() const {
    TimePoint earliest = TimePoint::max();
    for (std::size_t tier = 0; tier < schedule_.size(); ++tier)
        if (!busy(tier))
            earliest = std::min(earliest, schedule_[tier].next_announce);
    return earliest;
}

void Announcer::start_due_passes() {
    const TimePoint now = clock_();
    for (std::size_t tier = 0; tier < schedule_.size(); ++tier)
        if (!busy(tier) && schedule_[tier].next_announce <= now)
            start_pass(tier);
}

void Announcer::start_pass(std::size_t tier) {
    Pass pass;
    pass.id = next_pass_id_++;
    pass.tier = tier;
    pass.generation = generation_;
    pass.cancel = std::make_shared<asio::cancellation_signal>();
    passes_.push_back(pass);
    asio::co_spawn(executor_, announce_tier(tier, generation_),
                   asio::bind_cancellation_slot(
                       pass.cancel->slot(),
                       [this, id = pass.id, cancel = pass.cancel](std::exception_ptr) {
                           finish_pass(id);
                       }));
}

void Announcer::finish_pass(std::uint64_t id) {
    std::erase_if(passes_, [&](const Pass& pass) { return pass.id == id; });
    wake();
}

asio::awaitable<void> Announcer::announce_round() {
    const std::uint64_t generation = generation_;
    start_due_passes();
    while (generation == generation_ && any_busy()) {
        idle_timer_.expires_at(TimePoint::max());
        co_await idle_timer_.async_wait(k_use);
    }
}

void Announcer::set_sinks(TotalsSource totals, UpdateSink on_update) {
    totals_ = std::move(totals);
    on_update_ = std::move(on_update);
}

asio::awaitable<void> Announcer::run() {
    const std::uint64_t generation = generation_;
    try {
        while (generation == generation_) {
            start_due_passes();
            const TimePoint due = earliest_idle_due();
            if (due == TimePoint::max())
                wake_timer_.expires_at(TimePoint::max());
            else
                wake_timer_.expires_after(std::max(due - clock_(), TimePoint::duration::zero()));
            co_await wake_timer_.async_wait(k_use);
        }
        // The passes this run started hold `this` until they have seen the stop; they end at
        // once, since stop() cancelled what they waited for.
        asio::steady_timer drain(executor_);
        while (std::any_of(passes_.begin(), passes_.end(),
                           [&](const Pass& pass) { return pass.generation == generation; })) {
            drain.expires_after(std::chrono::milliseconds(5));
            co_await drain.async_wait(k_use);
        }
    } catch (const std::exception&) {
        // Only allocation failures get here; the torrent learns of the tracker through
        // the missing updates rather than through a crashed network thread.
    }
}

void Announcer::start() {
    ++runs_;
    asio::co_spawn(executor_, [this]() -> asio::awaitable<void> {
        co_await run();
        --runs_;
    }, asio::detached);
}

asio::awaitable<void> Announcer::send_one_stopped(std::string url) {
    TrackerStatus* tracker = find(url);
    if (!tracker)
        co_return;
    auto result = co_await call(url, make_request(*tracker, TrackerEvent::stopped));
    tracker = find(url);
    if (!tracker)
        co_return;
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

asio::awaitable<void> Announcer::send_stopped(std::vector<std::string> urls) {
    if (urls.empty())
        co_return;
    using Op = decltype(asio::co_spawn(executor_, send_one_stopped(std::string()), asio::deferred));
    std::vector<Op> ops;
    for (auto& url : urls)
        ops.push_back(asio::co_spawn(executor_, send_one_stopped(std::move(url)), asio::deferred));
    // Cancelling this coroutine (stop()'s deadline) cancels every one of them.
    auto group = asio::experimental::make_parallel_group(std::move(ops));
    co_await group.async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
}

asio::awaitable<void> Announcer::stop() {
    ++generation_;
    wake_timer_.cancel();
    idle_timer_.cancel();
    // Trackers being told `started` right now may have heard it: they hear `stopped` too.
    std::vector<std::string> told;
    for (const auto& tier : tiers_)
        for (const auto& tracker : tier)
            if (tracker.started_sent || tracker.announcing)
                told.push_back(tracker.url);
    // The passes under way are abandoned.
    std::vector<std::shared_ptr<asio::cancellation_signal>> signals;
    for (auto& pass : passes_)
        if (pass.cancel)
            signals.push_back(std::exchange(pass.cancel, nullptr));
    for (auto& signal : signals)
        signal->emit(asio::cancellation_type::terminal);

    asio::steady_timer deadline(executor_);
    deadline.expires_after(options_.stop_timeout);
    try {
        co_await (send_stopped(std::move(told)) || deadline.async_wait(k_use));
    } catch (const std::exception&) {
    }
    for (auto& tier : tiers_)
        for (auto& tracker : tier) {
            tracker.started_sent = false;
            tracker.announcing = false;
        }
    // A run() after this starts over at once.
    for (auto& tier : schedule_)
        tier.next_announce = clock_();
}

void Announcer::download_completed() {
    if (completed_seen_)
        return;
    completed_seen_ = true;
    const TimePoint now = clock_();
    for (auto& tier : schedule_) {
        tier.completed_pending = true;
        tier.next_announce = std::min(tier.next_announce, now);
    }
    wake();
}

void Announcer::reannounce() {
    for (auto& tier : tiers_)
        for (auto& tracker : tier)
            tracker.retry_at = {};
    const TimePoint now = clock_();
    for (auto& tier : schedule_)
        tier.next_announce = std::max(now, tier.last_success + tier.min_interval);
    wake();
}

void Announcer::want_peers() {
    const TimePoint now = clock_();
    bool moved = false;
    for (auto& tier : schedule_) {
        if (tier.last_success == TimePoint{}) continue;  // its first answer is still to come
        if (tier.early_at != TimePoint{} && now < tier.early_at + tier.interval) continue;
        const TimePoint at = std::max(now, tier.last_success + std::max(tier.min_interval, options_.want_peers_gap));
        if (at >= tier.next_announce) continue;
        tier.next_announce = at;
        tier.early_at = at;
        moved = true;
    }
    if (moved) wake();
}

void Announcer::wake() {
    wake_timer_.cancel();
    idle_timer_.cancel();
}

}  // namespace shoal::tracker_client
