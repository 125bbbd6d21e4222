#pragma once
// When a finished torrent has seeded enough: an upload ratio reached, or a time spent seeding.

#include <chrono>
#include <optional>
#include <string>

#include "session/events.hpp"

namespace shoal::control {

struct SeedLimits {
    // Uploaded over all runs divided by the bytes wanted; 0: no limit.
    double ratio = 0;
    // Time spent seeding in this run; zero: no limit.
    std::chrono::milliseconds time{0};

    bool any() const { return ratio > 0 || time.count() > 0; }
};

// What the layer does when a limit is reached: pause the torrent (and remember it paused), or
// only report it, for a front-end that stops the whole program then.
enum class SeedLimitAction { pause, report };

// Why seeding should stop now, or nullopt. `seeding_for` is how long the torrent has been
// complete in this run.
std::optional<std::string> seed_limit_reached(const SeedLimits& limits, const TorrentStats& stats,
                                              std::chrono::steady_clock::duration seeding_for);

}  // namespace shoal::control
