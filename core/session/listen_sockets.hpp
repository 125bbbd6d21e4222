#pragma once
// The TCP listeners: one per listen address (IPv4 and IPv6 by default, on separate sockets),
// all on one port number, each bound to the session's network interface when it has one.
// Network thread only, once constructed.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "session/settings.hpp"
#include "util/result.hpp"

namespace shoal {

class ListenSockets {
  public:
    // Listens on every address of listen_addresses(settings). Throws std::system_error when
    // the first cannot be listened on (the port is taken, say), std::runtime_error when the
    // interface cannot be bound to; a later address that fails (IPv6 on a system without
    // it) is said in problems() and left off. With port 0, the first's free port is the others'.
    ListenSockets(boost::asio::any_io_executor executor, const SessionSettings& settings);

    std::uint16_t port() const { return port_; }
    std::vector<boost::asio::ip::tcp::acceptor>& acceptors() { return acceptors_; }
    const std::vector<std::string>& problems() const { return problems_; }
    // "0.0.0.0:6881 and [::]:6881"
    std::string describe() const;
    // The global IPv6 address peers reach these sockets at: a global one listened on, or for
    // a wildcard ("::") the machine's (on `device` when it is not ""); none when no socket
    // listens on IPv6 or no such address is known. Asks the system each time.
    std::optional<boost::asio::ip::address_v6> reachable_ipv6(const std::string& device) const;
    // Binds the listening sockets to `device` again (see UdpPort::rebind_device).
    Result<Done> rebind_device(const std::string& device);
    // Closes the sockets; the acceptors stay (closed) until this is destroyed, for the accept
    // loops that still hold them.
    void close();

  private:
    // One attempt at all addresses; false when a later address could not take the first's
    // free port (then everything is closed again, to try another).
    bool open_all(const SessionSettings& settings, const std::vector<boost::asio::ip::address>& addresses);

    boost::asio::any_io_executor executor_;
    std::vector<boost::asio::ip::tcp::acceptor> acceptors_;
    std::vector<std::string> problems_;
    std::uint16_t port_ = 0;
};

}  // namespace shoal
