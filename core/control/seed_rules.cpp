#include "control/seed_rules.hpp"

#include <cmath>
#include <sstream>

namespace shoal::control {
namespace {

bool valid_mode(SeedLimitMode mode) { return static_cast<int>(mode) <= 2; }

std::string minutes_text(std::chrono::milliseconds time) {
    const auto minutes = std::chrono::duration_cast<std::chrono::minutes>(time).count();
    if (minutes > 0 && std::chrono::minutes(minutes) == time) return std::to_string(minutes) + " minutes";
    return std::to_string(std::chrono::duration_cast<std::chrono::seconds>(time).count()) + " seconds";
}

}  // namespace

std::optional<std::string> seed_limits_problem(const TorrentSeedLimits& limits) {
    if (!valid_mode(limits.ratio_mode)) return "the seed ratio mode is not 0, 1 or 2";
    if (!valid_mode(limits.idle_mode)) return "the idle seeding mode is not 0, 1 or 2";
    if (!std::isfinite(limits.ratio) || limits.ratio < 0 || limits.ratio > k_max_seed_ratio) {
        return "the seed ratio is out of range";
    }
    if (limits.idle_minutes < 0 || limits.idle_minutes > k_max_idle_minutes) {
        return "the idle seeding limit is out of range";
    }
    return std::nullopt;
}

SeedLimits effective_seed_limits(const SeedLimits& global, const TorrentSeedLimits& own) {
    SeedLimits out = global;
    if (own.ratio_mode == SeedLimitMode::own) out.ratio = own.ratio;
    if (own.ratio_mode == SeedLimitMode::unlimited) out.ratio = 0;
    if (own.idle_mode == SeedLimitMode::own) out.idle = std::chrono::minutes(own.idle_minutes);
    if (own.idle_mode == SeedLimitMode::unlimited) out.idle = std::chrono::milliseconds(0);
    return out;
}

std::optional<std::string> seed_limit_reached(const SeedLimits& limits, const TorrentStats& stats,
                                              std::chrono::steady_clock::duration seeding_for,
                                              std::chrono::steady_clock::duration idle_for) {
    if (limits.ratio > 0 &&
        static_cast<double>(stats.all_time_uploaded) >= limits.ratio * static_cast<double>(stats.total_wanted)) {
        std::ostringstream why;
        why << "seed ratio " << limits.ratio << " reached";
        return why.str();
    }
    if (limits.time.count() > 0 && seeding_for >= limits.time) {
        return "seeded for " + std::to_string(std::chrono::duration_cast<std::chrono::seconds>(limits.time).count()) +
               " seconds";
    }
    if (limits.idle.count() > 0 && idle_for >= limits.idle) {
        return "nothing uploaded for " + minutes_text(limits.idle);
    }
    return std::nullopt;
}

}  // namespace shoal::control
