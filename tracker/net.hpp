#pragma once
// Asio names the frontends share.

#include <sys/socket.h>
#include <boost/asio.hpp>

namespace shoal::tracker {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using udp = asio::ip::udp;

// Lets one listening socket per thread share a port; the kernel spreads the load.
using ReusePort = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

constexpr auto k_use_tuple = asio::as_tuple(asio::use_awaitable);

}  // namespace shoal::tracker
