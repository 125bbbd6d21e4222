#pragma once
// Admission limits for the DHT socket: queries per source address per second, and a cap on
// the packets we send per second. Callers pass `now`.

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>

#include "discovery/dht/node_id.hpp"

namespace shoal::dht {

// Counts queries per source IP in one-second windows; the excess of a window is refused.
class SourceLimiter {
  public:
    SourceLimiter(std::size_t per_second, std::size_t max_sources)
        : per_second_(per_second), max_sources_(max_sources) {}
    // Counts one query from `source`; false when it is over its allowance.
    bool allow(const Address& source, TimePoint now);

  private:
    std::size_t per_second_;
    std::size_t max_sources_;
    TimePoint window_start_{};
    std::map<Address, std::uint32_t> counts_;
};

// A token bucket holding at most one second's worth of packets.
class PacketBudget {
  public:
    explicit PacketBudget(std::size_t per_second) : per_second_(per_second) {}
    // Spends one packet; false when the budget is empty.
    bool take(TimePoint now);

  private:
    std::size_t per_second_;
    double tokens_ = 0;
    std::optional<TimePoint> last_;
};

}  // namespace shoal::dht
