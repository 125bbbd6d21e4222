#pragma once
// Torrent queueing as Transmission has it: at most so many torrents download and so many seed
// at once; the others wait their turn in one queue order. A torrent the user stopped is not
// queued, one started with "start now" skips the queue (but takes a slot), and a torrent that
// moved no data for a while (stalled) leaves its slot to the next. A torrent already running
// keeps running when the sizes shrink or the order changes: the queue only decides who starts.
// A download that finishes wants a seeding slot, and waits for one if none is free.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "session/events.hpp"

namespace shoal::control {

struct QueueSettings {
    bool download_enabled = false;
    int download_size = 5;  // active downloads at most, when enabled
    bool seed_enabled = false;
    int seed_size = 10;     // active seeds at most, when enabled
    bool stalled_enabled = true;
    std::chrono::minutes stalled_after{30};  // no data moved this long: not counted
    bool any() const { return download_enabled || seed_enabled; }
    bool operator==(const QueueSettings&) const = default;
};

// What a torrent would do if nothing held it back.
enum class QueueWant {
    none,       // stopped by the user, failed, or gone
    undecided,  // checking its data: whether it downloads or seeds is not known yet
    download,
    seed,
};

struct QueueInput {
    QueueWant want = QueueWant::none;
    // What the queue last let it run as (none: waiting or not started through the queue).
    QueueWant running_as = QueueWant::none;
    bool forced = false;  // started with "start now"
    // Since it started or last moved data, whichever is later.
    std::chrono::steady_clock::duration idle{0};
};

enum class QueueVerdict {
    leave,  // the queue has no say (stopped by the user, checking)
    run,
    wait,   // queued: held until a slot is free
};

// One verdict per torrent; `torrents` is in queue order.
std::vector<QueueVerdict> decide_queue(std::span<const QueueInput> torrents, const QueueSettings& settings);

// What the control layer keeps per torrent for the queue.
struct QueueTrack {
    QueueWant running_as = QueueWant::none;
    bool forced = false;
    bool held = false;  // paused in the session by the queue, not by the user
    std::chrono::steady_clock::time_point last_active{};
    std::int64_t moved = 0;  // bytes down and up this run, when last looked at
};

enum class QueueMove { top, up, down, bottom };

// The queue order: every torrent once, a new one at the end.
class QueueOrder {
public:
    void push_back(TorrentId id);
    void erase(TorrentId id);
    // Moves the torrents as a group: up and down by one place each (a torrent does not pass
    // another that moves too), top and bottom keeping their order. Unknown ids are ignored.
    // Whether anything moved.
    bool move(std::span<const TorrentId> ids, QueueMove to);
    // Orders the torrents by the positions they were saved with; those without one follow,
    // in the order they came.
    void sort_by_saved(const std::function<std::optional<std::int64_t>(TorrentId)>& saved);
    const std::vector<TorrentId>& ids() const { return ids_; }

private:
    std::vector<TorrentId> ids_;
};

}  // namespace shoal::control
