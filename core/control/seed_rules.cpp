#include "control/seed_rules.hpp"

#include <sstream>

namespace shoal::control {

std::optional<std::string> seed_limit_reached(const SeedLimits& limits, const TorrentStats& stats,
                                              std::chrono::steady_clock::duration seeding_for) {
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
    return std::nullopt;
}

}  // namespace shoal::control
