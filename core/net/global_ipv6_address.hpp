#pragma once
// This machine's global IPv6 address: one the Internet can reach us at, which trackers
// reached over IPv4 can hand to IPv6 peers (BEP 7's "ipv6=").

#include <boost/asio/ip/address.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace shoal::net {

struct InterfaceAddress {
    std::string device;  // "eth0"
    boost::asio::ip::address address;
};

// A global unicast address: not unspecified, loopback, link-local, site-local, multicast,
// unique local (fc00::/7) or IPv4-mapped. Documentation addresses (2001:db8::/32) count.
bool is_global_ipv6(const boost::asio::ip::address_v6& address);

// The first global IPv6 address among `addresses`, on `device` when it is not "".
std::optional<boost::asio::ip::address_v6> pick_global_ipv6(
    std::span<const InterfaceAddress> addresses, const std::string& device);

// The IPv4 and IPv6 addresses of the system's devices (getifaddrs); none when it cannot tell.
std::vector<InterfaceAddress> interface_addresses();

// pick_global_ipv6 over the system's addresses.
std::optional<boost::asio::ip::address_v6> global_ipv6_address(const std::string& device);

}  // namespace shoal::net
