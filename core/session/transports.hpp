#pragma once
// The session's ways to reach peers and be reached: the TCP dial, and uTP on one UDP port per
// address family, the same port number as TCP. The DHT speaks through the same ports. Network
// thread only.

#include <boost/asio/any_io_executor.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "net/dial.hpp"
#include "net/socket_binding.hpp"
#include "net/udp_port.hpp"
#include "session/settings.hpp"
#include "swarm/peer_handshake.hpp"
#include "utp/utp_socket.hpp"

namespace shoal {

class Transports {
  public:
    using AcceptHandler = utp::UtpSocket::AcceptHandler;

    // Opens the UDP ports (IPv4 always, IPv6 too when listening on IPv6, as by default) for
    // uTP, the DHT and UDP trackers, bound to the session's interface when it has one; what
    // cannot be opened is said in `problems` and left off.
    Transports(boost::asio::any_io_executor executor, const SessionSettings& settings,
               std::uint16_t port);
    ~Transports();

    // Incoming uTP connections go to `handler`; then the ports start receiving.
    void start(AcceptHandler handler);
    // Closes the ports; every uTP connection is reset.
    void stop();
    // Binds the UDP ports to the session's device again (see UdpPort::rebind_device).
    Result<Done> rebind_device();

    bool utp_enabled() const { return utp_enabled_ && !utp_.empty(); }
    // Opens a connection over `transport`; uTP goes out from the port of the peer's family.
    net::Dial dial(net::Transport transport);
    // Which transport a dial tries first.
    enum class DialOrder {
        tcp_first,
        utp_first,  // the peer is known to speak uTP
        utp_only,   // a hole punch (BEP 55): only uTP gets through the peer's NAT
    };
    // Dials `endpoint` and goes through the handshake (connect_to_peer), choosing the
    // transport as libtorrent's mixed mode does: uTP first when the peer is known to speak it,
    // TCP first otherwise; when the first fails the other is tried once (a peer with TCP
    // switched off or blocked is still reached). With TCP off, uTP only.
    boost::asio::awaitable<Result<HandshakeDone>> dial_peer(boost::asio::ip::tcp::endpoint endpoint,
                                                            SwarmId swarm, wire::PeerId our_id,
                                                            std::chrono::milliseconds timeout,
                                                            DialEncryption encryption, DialOrder order);
    net::UdpPort* port_v4() { return v4_.get(); }
    net::UdpPort* port_v6() { return v6_.get(); }
    const std::vector<std::string>& problems() const { return problems_; }
    // The session's interface, and the listen address when it is not a wildcard.
    const net::SocketBinding& binding() const { return binding_; }

  private:
    utp::UtpSocket* utp_for(const boost::asio::ip::address& address);
    boost::asio::awaitable<Result<std::unique_ptr<net::PeerStream>>> dial_utp(
        boost::asio::ip::tcp::endpoint endpoint, std::chrono::milliseconds timeout);

    boost::asio::any_io_executor executor_;
    std::unique_ptr<net::UdpPort> v4_;
    std::unique_ptr<net::UdpPort> v6_;
    std::vector<std::unique_ptr<utp::UtpSocket>> utp_;  // one per port, IPv4 first
    std::vector<std::string> problems_;
    bool utp_enabled_ = false;
    bool tcp_enabled_ = true;
    // TCP connections leave through the session's interface, from the listen address unless
    // it is a wildcard.
    net::SocketBinding binding_;
};

}  // namespace shoal
