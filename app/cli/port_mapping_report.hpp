#pragma once
// What shoal-cli says about port mapping: a protocol that gets a mapping, fails, or loses the
// mapping it had. The steps in between (discovering, asking again) are not said, nor a
// failure said already.

#include <map>
#include <string>
#include <vector>

#include "session/events.hpp"

namespace shoal::cli {

class PortMappingReport {
  public:
    // The lines to print for `now`, one for each protocol whose news differ from what was
    // said last: "UPnP: mapped 203.0.113.1:6881", "NAT-PMP: failed (no default gateway)",
    // "UPnP: lost the mapping 203.0.113.1:6881 (the router refused to renew it)".
    std::vector<std::string> update(const NetworkState& now);

  private:
    std::map<std::string, NetworkState::Mapping> said_;  // by protocol
};

}  // namespace shoal::cli
