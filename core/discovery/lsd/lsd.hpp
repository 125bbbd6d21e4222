#pragma once
// Local Service Discovery (BEP 14): announces our torrents to the local network over
// multicast and reports the peers other clients announce for them. Runs on the executor it is
// given (no threads of its own); every callback comes from there.

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/steady_timer.hpp>

#include "discovery/lsd/lsd_message.hpp"
#include "util/result.hpp"

namespace shoal::lsd {

struct LsdConfig {
    boost::asio::ip::address_v4 group_v4 = boost::asio::ip::make_address_v4(k_group_v4);
    boost::asio::ip::address_v6 group_v6 = boost::asio::ip::make_address_v6(k_group_v6);
    bool enable_v6 = true;  // best effort: skipped when the host has no IPv6 multicast
    std::uint16_t group_port = k_lsd_port;
    // Where to join the groups and send from; "any" and 0 let the kernel choose.
    boost::asio::ip::address_v4 interface_v4 = boost::asio::ip::address_v4::any();
    unsigned interface_v6 = 0;
    // A network device the sockets are bound to (SO_BINDTODEVICE), whose index then picks
    // the multicast interface of both families; "": none.
    std::string device;
    // The BitTorrent port we announce.
    std::uint16_t listen_port = 0;
    // BEP 14: each torrent every 5 minutes, and no more than one announce a minute.
    std::chrono::milliseconds announce_interval = std::chrono::minutes(5);
    std::chrono::milliseconds min_send_interval = std::chrono::minutes(1);
    // One hop keeps announces on the local link; raise it for a routed LAN.
    int ttl = 1;
    // Lets other clients on this host hear us (our own copies are dropped by cookie).
    bool loopback = true;
    // Announces accepted per source address per window; the rest are dropped.
    std::size_t max_per_source = 20;
    std::chrono::milliseconds source_window = std::chrono::minutes(1);
    std::size_t max_sources = 1024;
    ParseLimits limits;
    std::string cookie;  // empty: a random one
};

class Lsd {
  public:
    // May call stop() but must not destroy the Lsd.
    using OnPeer = std::function<void(const SwarmHash&, const boost::asio::ip::tcp::endpoint&)>;
    struct Stats {
        std::uint64_t received = 0;
        std::uint64_t malformed = 0;
        std::uint64_t own = 0;
        std::uint64_t rate_limited = 0;
        std::uint64_t peers_reported = 0;
        std::uint64_t datagrams_sent = 0;
    };

    Lsd(boost::asio::any_io_executor executor, LsdConfig config, OnPeer on_peer);
    ~Lsd();
    Lsd(const Lsd&) = delete;
    Lsd& operator=(const Lsd&) = delete;

    // Opens the sockets and joins the groups; IPv4 must work, IPv6 is used when it does.
    Result<bool> start();
    // Closes the sockets; pending handlers become no-ops. Also done by the destructor.
    void stop();

    // A torrent to announce (soon, then every announce_interval); peers are reported only for
    // torrents added here.
    void add_torrent(const SwarmHash& hash);
    void remove_torrent(const SwarmHash& hash);
    // Announces `hash` (adding it if needed) as soon as min_send_interval allows.
    void announce_now(const SwarmHash& hash);

    bool ipv6_active() const { return v6_ != nullptr; }
    const std::string& cookie() const { return config_.cookie; }
    const Stats& stats() const { return stats_; }

  private:
    using Clock = std::chrono::steady_clock;
    struct Channel;
    struct SourceCount {
        Clock::time_point window_start;
        std::size_t count = 0;
    };

    Result<bool> open_v4();
    void open_v6();
    void receive(Channel& channel);
    void handle_datagram(std::string_view data, const boost::asio::ip::udp::endpoint& sender);
    bool admit(const boost::asio::ip::address& source, Clock::time_point now);
    void schedule();
    void send_due();
    void send_on(Channel& channel, const std::vector<SwarmHash>& hashes);

    boost::asio::any_io_executor executor_;
    LsdConfig config_;
    OnPeer on_peer_;
    std::unique_ptr<Channel> v4_;
    std::unique_ptr<Channel> v6_;
    boost::asio::steady_timer timer_;
    std::map<SwarmHash, Clock::time_point> torrents_;  // when each is next due
    std::optional<Clock::time_point> last_send_;
    std::map<boost::asio::ip::address, SourceCount> sources_;
    Stats stats_;
    // Handlers hold a weak reference, so one that was already queued when we were destroyed
    // does nothing.
    std::shared_ptr<Lsd*> alive_;
};

}  // namespace shoal::lsd
