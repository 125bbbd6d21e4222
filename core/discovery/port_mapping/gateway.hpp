#pragma once
// Where the router is and who we are on its network: the IPv4 default gateway from the
// kernel's route table (/proc/net/route) and a device's IPv4 address.

#include <boost/asio/ip/address_v4.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace shoal::port_mapping {

// The gateway of the default route in `table` (the text of /proc/net/route): a route that is
// up, goes through a gateway and has destination and mask 0. With `interface` set, only that
// device's; of several, the lowest metric. Pure; lines it cannot read are skipped.
std::optional<boost::asio::ip::address_v4> default_gateway_in(std::string_view table,
                                                              std::string_view interface);

// The same from /proc/net/route; the error is "no default gateway" (naming the device).
Result<boost::asio::ip::address_v4> default_gateway(const std::string& interface);

// The first IPv4 address of device `interface`.
Result<boost::asio::ip::address_v4> interface_address(const std::string& interface);

}  // namespace shoal::port_mapping
