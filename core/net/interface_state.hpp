#pragma once
// Whether a network device can carry traffic now: it exists, is up, has a carrier and an
// address. Asked of the system each time (a few system calls).

#include <string>

namespace shoal::net {

struct InterfaceState {
    bool usable = false;
    std::string problem;  // why not: "wg0 is down", "no interface named wg0", …
    // The device's index, 0 when there is none. A VPN's device made anew (a reconnect) has a
    // new index: sockets bound to the old one must be bound again.
    unsigned index = 0;
    bool operator==(const InterfaceState&) const = default;
};

InterfaceState interface_state(const std::string& device);

}  // namespace shoal::net
