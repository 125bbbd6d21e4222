#pragma once
// Peer sources besides trackers and PEX: the Mainline DHT and local service discovery. Each
// torrent (not private) is looked up and announced under its 20-byte wire info-hash; what
// they find goes to one callback. Network thread only.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "discovery/dht/node.hpp"
#include "discovery/lsd/lsd.hpp"
#include "session/settings.hpp"
#include "util/alive_flag.hpp"

namespace shoal {

class PeerDiscovery {
public:
    using Hash = SwarmHash;
    using OnPeer = std::function<void(const Hash& hash, const boost::asio::ip::tcp::endpoint& peer)>;
    using OnNotice = std::function<void(std::string)>;

    // Starts what the settings switch on; a source that cannot start is reported and left off.
    // The DHT speaks through the session's UDP ports (it is off without the IPv4 one).
    PeerDiscovery(boost::asio::any_io_executor executor, const SessionSettings& settings,
                  std::uint16_t listen_port, net::UdpPort* udp_v4, net::UdpPort* udp_v6, OnPeer on_peer,
                  OnNotice on_notice);
    ~PeerDiscovery();

    void add(const Hash& hash);
    void remove(const Hash& hash);
    // Saves the DHT's state and closes every socket.
    void stop();
    // The session's device was made anew: local discovery opens its sockets again (bound to
    // the new device, its groups joined there); the DHT speaks through the session's ports.
    void device_recreated();
    std::size_t dht_nodes() const;
    // Where the DHT's nodes agree they see us (BEP 42), once they do.
    std::optional<boost::asio::ip::address> dht_external_address() const;
    // The port DHT announces name from now on (a port mapping's external port).
    void set_announce_port(std::uint16_t port) { announce_port_ = port; }

private:
    void schedule();
    void lookup(const Hash& hash);
    void save_dht_state() const;

    boost::asio::any_io_executor executor_;
    const SessionSettings& settings_;
    std::uint16_t listen_port_;
    std::uint16_t announce_port_;
    OnPeer on_peer_;
    OnNotice on_notice_;
    std::unique_ptr<dht::Node> dht_;
    std::unique_ptr<lsd::Lsd> lsd_;
    // When each torrent's next DHT lookup and announce is due.
    std::map<Hash, std::chrono::steady_clock::time_point> due_;
    boost::asio::steady_timer timer_;
    AliveFlag alive_;
};

}  // namespace shoal
