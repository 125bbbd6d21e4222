#include "net/interface_state.hpp"

#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "net/global_ipv6_address.hpp"

namespace shoal::net {

namespace {

// An address peers could use: IPv4, or IPv6 beyond link-local.
bool has_address(const std::string& device) {
    const auto addresses = interface_addresses();
    return std::any_of(addresses.begin(), addresses.end(), [&](const InterfaceAddress& a) {
        return a.device == device && (a.address.is_v4() || !a.address.to_v6().is_link_local());
    });
}

// Whether the device is up, has a link and an address (its index left 0).
InterfaceState usability(const std::string& device) {
    const int probe = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (probe < 0) return {false, "cannot ask about " + device + ": " + std::strerror(errno)};
    ifreq request{};
    std::memcpy(request.ifr_name, device.c_str(), device.size());
    const int asked = ::ioctl(probe, SIOCGIFFLAGS, &request);
    const int error = errno;
    ::close(probe);
    if (asked != 0) return {false, "cannot ask about " + device + ": " + std::strerror(error)};
    if (!(request.ifr_flags & IFF_UP)) return {false, device + " is down"};
    if (!(request.ifr_flags & IFF_RUNNING)) return {false, device + " has no link"};
    if (!has_address(device)) return {false, device + " has no address"};
    return {true, ""};
}

}  // namespace

InterfaceState interface_state(const std::string& device) {
    const unsigned index = device.empty() || device.size() >= IFNAMSIZ ? 0 : ::if_nametoindex(device.c_str());
    if (index == 0) return {false, "no interface named " + device};
    const auto state = usability(device);
    return {state.usable, state.problem, index};
}

}  // namespace shoal::net
