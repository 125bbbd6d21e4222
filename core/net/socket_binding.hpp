#pragma once
// What the session's sockets are tied to: a network device and a source address. A socket
// bound to a device (SO_BINDTODEVICE) sends and receives on that device alone, whatever the
// routing table says: when the device goes down its packets fail instead of leaving by
// another route.

#include <boost/asio/ip/address.hpp>
#include <optional>
#include <string>

#include "util/result.hpp"

namespace shoal::net {

struct SocketBinding {
    std::string device;  // "": any device
    // Where outgoing connections leave from (for the address's family); none: the system picks.
    std::optional<boost::asio::ip::address> source;
};

// Binds an open socket to `device` (nothing when it is ""); the error names the device.
Result<Done> bind_to_device(int socket, const std::string& device);

}  // namespace shoal::net
