#include "session/event_queue.hpp"

namespace shoal {

bool EventQueue::push(Event e) {
    std::lock_guard lock(mutex_);
    const bool was_empty = events_.empty();
    if (const auto* stats = std::get_if<event::Stats>(&e)) {
        const auto [queued, added] = stats_at_.try_emplace(stats->id.value, events_.size());
        if (!added) {
            events_[queued->second] = std::move(e);
            return was_empty;
        }
    }
    events_.push_back(std::move(e));
    return was_empty;
}

std::vector<Event> EventQueue::pop_all() {
    std::lock_guard lock(mutex_);
    std::vector<Event> out;
    out.swap(events_);
    stats_at_.clear();
    return out;
}

bool EventQueue::empty() const {
    std::lock_guard lock(mutex_);
    return events_.empty();
}

}  // namespace shoal
