#include "session/tracker_list.hpp"

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace shoal {

namespace asio = boost::asio;

TrackerList::TrackerList(asio::io_context::executor_type executor, tracker_client::TrackerTransport& transport,
                         std::vector<Tier> tiers, Host& host)
    : executor_(std::move(executor)), transport_(transport), tiers_(std::move(tiers)), host_(host) {}

tracker_client::Announcer::TotalsSource TrackerList::totals() {
    return [this] { return host_.tracker_totals(); };
}

tracker_client::Announcer::UpdateSink TrackerList::on_update() {
    return [this](const tracker_client::TrackerUpdate& update) { host_.on_tracker_update(update); };
}

TrackerList::~TrackerList() { alive_.end(); }

bool TrackerList::running() const { return announcer_ && announcer_->running(); }

void TrackerList::adopt(std::unique_ptr<tracker_client::Announcer> announcer) {
    announcer_ = std::move(announcer);
    announcer_->set_sinks(totals(), on_update());
}

void TrackerList::start() {
    if (running() || tiers_.empty()) return;
    if (!announcer_) {
        announcer_ = std::make_unique<tracker_client::Announcer>(
            executor_, host_.tracker_identity(), tiers_, transport_, totals(), on_update(),
            tracker_client::AnnouncerOptions{}, [this] { return host_.tracker_now(); });
    }
    announcer_->start();
}

void TrackerList::stop() {
    if (running()) retire();
}

void TrackerList::retire() {
    std::erase_if(retired_, [](const auto& old) { return !old->running(); });
    std::shared_ptr<tracker_client::Announcer> old(std::move(announcer_));
    retired_.push_back(old);
    // The stop (telling the trackers) holds its announcer; retired_ holds it until run() has
    // seen the stop. A start() from now on makes a new announcer, so a resume right after a
    // pause announces again instead of finding the old one still running.
    asio::co_spawn(executor_, [old]() -> asio::awaitable<void> { co_await old->stop(); },
                   asio::detached);
}

bool TrackerList::any_running() const {
    return running() || std::any_of(retired_.begin(), retired_.end(),
                                     [](const auto& old) { return old->running(); });
}

asio::awaitable<void> TrackerList::shutdown() {
    auto alive = alive_.watch();
    if (announcer_) co_await announcer_->stop();
    // run() notices the stop at its next wake-up; each announcer must outlive it.
    asio::steady_timer wait(executor_);
    for (int i = 0; i < 50 && *alive && any_running(); ++i) {
        wait.expires_after(std::chrono::milliseconds(20));
        co_await wait.async_wait(asio::use_awaitable);
    }
}

void TrackerList::set_trackers(std::vector<Tier> tiers) {
    std::erase_if(tiers, [](const Tier& t) { return t.empty(); });
    tiers_ = std::move(tiers);
    const bool was_running = running();
    if (was_running)
        retire();
    else
        announcer_.reset();
    if (was_running) start();
}

void TrackerList::reannounce() {
    if (running()) announcer_->reannounce();
}

void TrackerList::set_port(std::uint16_t port) {
    if (!announcer_) return;
    announcer_->set_port(port);
    reannounce();
}

void TrackerList::want_peers() {
    if (running()) announcer_->want_peers();
}

void TrackerList::download_completed() {
    if (announcer_) announcer_->download_completed();
}

std::string TrackerList::record(const tracker_client::TrackerUpdate& u, Clock::time_point now) {
    std::string message = u.message;
    if (!u.ok && message.empty()) message = "failed";
    replies_[u.url] = {u.ok, message, u.ok ? static_cast<int>(u.peers.size()) : -1, now};
    return message;
}

std::vector<TrackerInfo> TrackerList::trackers(Clock::time_point now) const {
    std::vector<TrackerInfo> out;
    if (!announcer_) {
        int tier = 0;
        for (const auto& urls : tiers_) {
            for (const auto& url : urls) out.push_back({url, tier, TrackerInfo::Status::not_contacted, {}, -1, -1, -1});
            ++tier;
        }
        return out;
    }
    for (const auto& tier : announcer_->tiers()) {
        for (const auto& tracker : tier) {
            TrackerInfo t;
            t.url = tracker.url;
            t.tier = static_cast<int>(tracker.tier);
            if (auto seen = replies_.find(tracker.url); seen != replies_.end()) {
                t.status = seen->second.ok ? TrackerInfo::Status::working : TrackerInfo::Status::failed;
                t.message = seen->second.message;
                t.peers = seen->second.peers;
                t.last_reply_seconds = std::max<std::int64_t>(
                    0, std::chrono::duration_cast<std::chrono::seconds>(now - seen->second.at).count());
            }
            if (running()) {
                const auto next = std::max(announcer_->next_announce_at(tracker.tier), tracker.retry_at);
                t.next_announce_seconds = std::max<std::int64_t>(
                    0, std::chrono::duration_cast<std::chrono::seconds>(next - now).count());
            }
            out.push_back(std::move(t));
        }
    }
    return out;
}

}  // namespace shoal
