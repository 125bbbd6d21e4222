#pragma once
// uTP on one shared UDP port: the connections made through it, found by the peer's address and
// the connection id every packet carries; SYNs answered (within limits) and handed to an
// accept handler as peer streams; connections dialed; one timer that drives every
// connection's resends and keep-alives. A packet for no connection we know is answered with
// a RESET (rate-limited) so the sender gives up at once. Network thread only.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <tuple>

#include "net/peer_stream.hpp"
#include "net/udp_port.hpp"
#include "util/result.hpp"
#include "utp/connection.hpp"

namespace shoal::utp {

struct UtpSocketLimits {
    // Connections held at once, lingering ones (closed by us, finishing) included.
    std::size_t max_connections = 4096;
    // Connections answered but not yet confirmed by the initiator's first data: all of them,
    // and from one address. Past either, SYNs are dropped (and counted).
    std::size_t max_half_open = 256;
    std::size_t max_half_open_per_address = 16;
    // RESETs sent for packets that match no connection, per second.
    std::size_t resets_per_second = 200;
    // A connection closed by us gets this long to deliver what it holds and finish.
    std::chrono::milliseconds linger{30'000};
};

struct UtpSocketStats {
    std::uint64_t accepted = 0;
    std::uint64_t dialed = 0;
    std::uint64_t syn_dropped = 0;  // over a limit, or no one accepts
    std::uint64_t unknown_id = 0;   // packets for no connection we know
    std::uint64_t resets_sent = 0;
    std::uint64_t malformed = 0;  // looked like uTP but did not parse
};

class UtpSocket {
  public:
    using udp = boost::asio::ip::udp;
    using AcceptHandler = std::function<void(std::unique_ptr<net::PeerStream>)>;

    // Speaks through `port` (which must outlive it), taking the datagrams that are uTP packets.
    UtpSocket(net::UdpPort& port, UtpConfig config = {}, UtpSocketLimits limits = {});
    // Resets every connection; streams still open fail from then on.
    ~UtpSocket();
    UtpSocket(const UtpSocket&) = delete;
    UtpSocket& operator=(const UtpSocket&) = delete;

    // Incoming connections go to `handler`; without one, SYNs are refused.
    void set_accept_handler(AcceptHandler handler) { on_accept_ = std::move(handler); }

    // Connects to `peer` within `timeout`; the error says why not.
    boost::asio::awaitable<Result<std::unique_ptr<net::PeerStream>>> connect(
        udp::endpoint peer, std::chrono::milliseconds timeout);

    std::size_t connection_count() const { return flows_.size(); }
    const UtpSocketStats& stats() const { return stats_; }
    const net::UdpPort& port() const { return port_; }

    // One connection with its waiting reader and writer, shared by the socket and its stream.
    struct Flow;

  private:
    using Key = std::tuple<udp::endpoint, std::uint16_t>;  // the peer, and our receive id

    bool on_datagram(std::span<const std::uint8_t> datagram, const udp::endpoint& from);
    void on_syn(const Packet& syn, const udp::endpoint& from);
    void send_reset_for(const Packet& packet, const udp::endpoint& from);
    void on_batch_end();
    std::shared_ptr<Flow> make_flow(const udp::endpoint& peer);
    void service(Flow& flow);
    void on_timer();
    void arm(std::uint64_t deadline_us);
    // The flow no longer counts against the half-open limits (confirmed, or gone).
    void leave_half_open(Flow& flow);
    std::uint64_t now_us() const;

    friend class UtpStream;

    net::UdpPort& port_;
    UtpConfig config_;
    UtpSocketLimits limits_;
    AcceptHandler on_accept_;
    std::map<Key, std::shared_ptr<Flow>> flows_;
    std::vector<std::shared_ptr<Flow>> touched_;  // flows that took packets in this batch
    std::map<boost::asio::ip::address, std::size_t> half_open_by_address_;
    std::size_t half_open_ = 0;
    boost::asio::steady_timer timer_;
    std::uint64_t timer_deadline_us_ = 0;  // 0: not armed
    std::chrono::steady_clock::time_point epoch_ = std::chrono::steady_clock::now();
    std::uint64_t reset_window_start_us_ = 0;
    std::size_t resets_in_window_ = 0;
    std::mt19937 rng_{std::random_device{}()};
    UtpSocketStats stats_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace shoal::utp
