#pragma once
// Opening a TCP socket tied to where the session's connections must leave from.

#include <boost/asio/ip/tcp.hpp>

#include "net/socket_binding.hpp"
#include "util/result.hpp"

namespace shoal::net {

// Opens the closed `socket` for `protocol`, binds it to the binding's device when it names
// one, and to its source address when that is of the protocol's family (port 0: the system
// picks). The error names what failed: opening, the device or the source address. On an
// error the socket may be left open; closing it is the caller's.
Result<Done> open_bound_tcp_socket(boost::asio::ip::tcp::socket& socket,
                                   const boost::asio::ip::tcp& protocol,
                                   const SocketBinding& binding);

}  // namespace shoal::net
