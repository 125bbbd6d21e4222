// The Controller's side that keeps the torrent queue: which torrents run and which wait
// (control/torrent_queue decides), the commands that move torrents in it, and the positions
// kept in the torrents' records.
#include <algorithm>

#include "control/controller.hpp"

namespace shoal::control {
namespace {

Error unknown_torrent(TorrentId id) {
    return make_error(ErrorCode::not_found, "no torrent has id " + std::to_string(id.value));
}

}  // namespace

QueueWant Controller::queue_want(const Entry& e) const {
    if (e.stored.paused) return QueueWant::none;
    const TorrentSummary& s = e.summary;
    switch (s.stats.state) {
        case TorrentState::error: return QueueWant::none;
        case TorrentState::checking: return QueueWant::undecided;
        case TorrentState::fetching_metadata:
        case TorrentState::downloading: return QueueWant::download;
        case TorrentState::seeding: return QueueWant::seed;
        case TorrentState::paused: return s.finished ? QueueWant::seed : QueueWant::download;
    }
    return QueueWant::none;
}

void Controller::note_queue_activity() {
    const auto now = settings_.now();
    for (auto& [id, e] : entries_) {
        const std::int64_t moved = e.summary.stats.downloaded + e.summary.stats.uploaded;
        if (moved != e.queue.moved) {
            e.queue.moved = moved;
            e.queue.last_active = now;
        }
    }
}

void Controller::apply_queue() {
    const auto now = settings_.now();
    std::vector<QueueInput> inputs;
    inputs.reserve(queue_.ids().size());
    for (TorrentId id : queue_.ids()) {
        const Entry& e = entries_.at(id);
        inputs.push_back({.want = queue_want(e),
                          .running_as = e.queue.running_as,
                          .forced = e.queue.forced,
                          .idle = now - e.queue.last_active});
    }
    const auto verdicts = decide_queue(inputs, settings_.queue);
    for (std::size_t i = 0; i < verdicts.size(); ++i) {
        const TorrentId id = queue_.ids()[i];
        Entry& e = entries_.at(id);
        const QueueWant want = inputs[i].want;
        e.summary.queued = TorrentSummary::Queued::no;
        switch (verdicts[i]) {
            case QueueVerdict::leave:
                if (want == QueueWant::none) e.queue.running_as = QueueWant::none;
                // Held while it checks: shown waiting, not stopped, once the check is done.
                if (want == QueueWant::undecided && e.queue.held) e.summary.queued = TorrentSummary::Queued::to_download;
                break;
            case QueueVerdict::run:
                if (e.queue.running_as != want) e.queue.last_active = now;  // a start, as far as stalling goes
                e.queue.running_as = want;
                if (e.queue.held) {
                    e.queue.held = false;
                    session_.resume(id);
                }
                break;
            case QueueVerdict::wait:
                e.queue.running_as = QueueWant::none;
                e.summary.queued = want == QueueWant::seed ? TorrentSummary::Queued::to_seed
                                                           : TorrentSummary::Queued::to_download;
                if (!e.queue.held) {
                    e.queue.held = true;
                    session_.pause(id);
                }
                break;
        }
    }
}

Result<Done> Controller::resume_now(TorrentId id) {
    Entry* e = entry(id);
    if (!e) return unknown_torrent(id);
    e->queue.forced = true;
    e->queue.held = false;
    session_.resume(id);
    if (e->stored.paused) {
        e->stored.paused = false;
        save(*e);
    }
    apply_queue();
    return Done{};
}

Result<Done> Controller::move_in_queue(const std::vector<TorrentId>& ids, QueueMove to) {
    for (TorrentId id : ids) {
        if (!entry(id)) return unknown_torrent(id);
    }
    if (queue_.move(ids, to)) number_queue(true);
    return Done{};
}

void Controller::set_queue_settings(QueueSettings queue) {
    settings_.queue = queue;
    apply_queue();
}

void Controller::join_queue(Entry& e) {
    queue_.push_back(e.summary.id);
    e.summary.queue_position = queue_.ids().size() - 1;
    e.queue.held = !e.stored.paused && settings_.queue.any();
    if (e.queue.held) e.summary.queued = TorrentSummary::Queued::to_download;
    e.queue.last_active = settings_.now();
}

void Controller::leave_queue(TorrentId id) {
    queue_.erase(id);
    number_queue(false);
}

void Controller::order_restored_queue() {
    queue_.sort_by_saved([this](TorrentId id) { return entries_.at(id).stored.queue_position; });
    // Records from before the queue take places after the others, in the order they were added.
    std::int64_t next = 0;
    for (TorrentId id : queue_.ids()) {
        Entry& e = entries_.at(id);
        if (e.stored.queue_position) {
            next = std::max(next, *e.stored.queue_position + 1);
        } else {
            e.stored.queue_position = next++;
            save(e);
        }
    }
    number_queue(false);
}

void Controller::number_queue(bool save_changed) {
    std::int64_t position = 0;
    for (TorrentId id : queue_.ids()) {
        Entry& e = entries_.at(id);
        e.summary.queue_position = static_cast<std::size_t>(position);
        if (save_changed && e.stored.queue_position != position) {
            e.stored.queue_position = position;
            save(e);
        }
        ++position;
    }
}

std::int64_t Controller::next_queue_position() const {
    std::int64_t next = static_cast<std::int64_t>(queue_.ids().size());
    if (!queue_.ids().empty()) {
        const auto& last = entries_.at(queue_.ids().back()).stored.queue_position;
        if (last) next = std::max(next, *last + 1);
    }
    return next;
}

}  // namespace shoal::control
