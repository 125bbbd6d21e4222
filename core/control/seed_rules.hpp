#pragma once
// When a finished torrent has seeded enough: an upload ratio reached, a time spent seeding, or a
// time without uploading anything (idle). A torrent may follow the global ratio and idle limits,
// have its own, or have none (Transmission's seedRatioMode and seedIdleMode).

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "session/events.hpp"

namespace shoal::control {

struct SeedLimits {
    // Uploaded over all runs divided by the bytes wanted; 0: no limit.
    double ratio = 0;
    // Time spent seeding in this run; zero: no limit.
    std::chrono::milliseconds time{0};
    // Time seeding without uploading a byte; zero: no limit.
    std::chrono::milliseconds idle{0};

    bool any() const { return ratio > 0 || time.count() > 0 || idle.count() > 0; }
};

// Whose limit a torrent follows, numbered as Transmission's RPC numbers them.
enum class SeedLimitMode : std::uint8_t { global = 0, own = 1, unlimited = 2 };

// A torrent's own choice for the ratio and idle limits (the seed time is always the global one).
struct TorrentSeedLimits {
    SeedLimitMode ratio_mode = SeedLimitMode::global;
    double ratio = 2;  // used in SeedLimitMode::own
    SeedLimitMode idle_mode = SeedLimitMode::global;
    std::int64_t idle_minutes = 30;  // used in SeedLimitMode::own

    bool operator==(const TorrentSeedLimits&) const = default;
};

inline constexpr double k_max_seed_ratio = 1e6;
inline constexpr std::int64_t k_max_idle_minutes = 1'000'000;

// Checked: a mode of 0 to 2, a ratio from 0 to k_max_seed_ratio, idle minutes from 0 to
// k_max_idle_minutes; the message names what is wrong.
std::optional<std::string> seed_limits_problem(const TorrentSeedLimits& limits);

// The limits a torrent is held to: the global ones with its own choices applied.
SeedLimits effective_seed_limits(const SeedLimits& global, const TorrentSeedLimits& own);

// What the layer does when a limit is reached: pause the torrent (and remember it paused), or
// only report it, for a front-end that stops the whole program then.
enum class SeedLimitAction { pause, report };

// Why seeding should stop now, or nullopt. `seeding_for` is how long the torrent has been
// complete in this run; `idle_for` how long since it last uploaded a byte (or became complete).
std::optional<std::string> seed_limit_reached(const SeedLimits& limits, const TorrentStats& stats,
                                              std::chrono::steady_clock::duration seeding_for,
                                              std::chrono::steady_clock::duration idle_for);

}  // namespace shoal::control
