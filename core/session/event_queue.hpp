#pragma once
// The session's events on their way from the network thread to the reader (the control
// layer), in order, with one rule that keeps a large library's queue small: a torrent's Stats
// is queued once. A newer Stats replaces the one still waiting, in its place. Stats are
// snapshots, so the reader loses nothing but figures already out of date, and with thousands
// of torrents starting while the reader is busy the queue holds one Stats each instead of
// one per change. Thread-safe.

#include <cstdint>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "session/events.hpp"

namespace shoal {

class EventQueue {
public:
    // True when the queue was empty before (the reader is to be woken).
    bool push(Event e);
    // Everything queued, oldest first; the queue is then empty.
    std::vector<Event> pop_all();
    bool empty() const;

private:
    mutable std::mutex mutex_;
    std::vector<Event> events_;
    std::unordered_map<std::uint32_t, std::size_t> stats_at_;  // torrent id → its Stats in events_
};

}  // namespace shoal
