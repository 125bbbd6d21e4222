#pragma once
// One UDP socket that several protocols share, as every BitTorrent client shares its port
// number between TCP and UDP: uTP and the DHT receive through it and send from it. Datagrams
// are read in batches (recvmmsg) and each is offered to the receivers in the order they were
// added until one takes it; sends are gathered while a handler runs and leave together
// (sendmmsg) once it returns. Network thread only; it allocates nothing per datagram.

#include <array>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/udp.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "util/result.hpp"

namespace shoal::net {

// Whether a datagram may be fragmented on its way. Datagrams are sent fragmentable (IPv4
// routers split what is too large for the next link); a path MTU probe must arrive whole or
// not at all, so it goes with the Don't Fragment bit.
enum class Fragment { allow, forbid };

struct UdpPortStats {
    std::uint64_t datagrams_received = 0;
    std::uint64_t datagrams_sent = 0;
    std::uint64_t unclaimed = 0;        // no receiver took it
    std::uint64_t truncated = 0;        // longer than k_max_received: dropped
    std::uint64_t send_dropped = 0;     // the send queue was full, or the system refused it
    std::uint64_t too_big = 0;          // unfragmentable, and larger than the interface takes
    std::uint64_t receive_batches = 0;  // recvmmsg calls that returned datagrams
    std::uint64_t send_batches = 0;
};

class UdpPort {
  public:
    using udp = boost::asio::ip::udp;
    // Takes a datagram (true) or leaves it to the next receiver (false). The bytes are valid
    // only during the call.
    using Receiver =
        std::function<bool(std::span<const std::uint8_t> datagram, const udp::endpoint& from)>;
    // The largest datagram sent; longer ones are refused.
    static constexpr std::size_t k_max_datagram = 2048;
    // The largest datagram received (a UDP tracker's reply of 200 IPv6 peers takes 3,620
    // bytes); longer ones are dropped.
    static constexpr std::size_t k_max_received = 4096;
    // Datagrams read by one system call, and the most waiting to be sent.
    static constexpr std::size_t k_batch = 64;
    static constexpr std::size_t k_max_queued_sends = 1024;

    // Binds `endpoint` (an IPv6 one takes IPv6 only), and the socket to `device` when one is
    // named (see socket_binding.hpp); the error names the address.
    static Result<std::unique_ptr<UdpPort>> open(boost::asio::any_io_executor executor,
                                                 const udp::endpoint& endpoint,
                                                 const std::string& device = {});
    ~UdpPort();
    UdpPort(const UdpPort&) = delete;
    UdpPort& operator=(const UdpPort&) = delete;

    // Receivers are asked in the order added. Before start().
    void add_receiver(Receiver receiver);
    // Called once after each batch of received datagrams has been handed out (a receiver
    // that holds answers back, such as acks, sends them then).
    void add_batch_end(std::function<void()> on_batch_end);
    void start();
    // Closes the socket; nothing is received or sent afterwards.
    void close();
    // Binds the socket to `device` again: the device was made anew under the same name (a
    // VPN reconnecting), and a socket stays bound to the index it had.
    Result<Done> rebind_device(const std::string& device);

    // Queues a datagram; it leaves once the current handler returns (or at once when the
    // batch is full). False (and counted) when the queue is full or the port closed.
    bool send_to(std::span<const std::uint8_t> datagram, const udp::endpoint& to,
                 Fragment fragment = Fragment::allow);

    const udp::endpoint& local_endpoint() const { return local_; }
    boost::asio::any_io_executor get_executor() { return socket_.get_executor(); }
    const UdpPortStats& stats() const { return stats_; }

  private:
    UdpPort(udp::socket socket, udp::endpoint local);
    void wait_readable();
    void receive_batch();
    void flush();
    void wait_writable();

    template <std::size_t Capacity>
    struct Slot {
        std::array<std::uint8_t, Capacity> bytes;
        std::size_t size = 0;
        udp::endpoint peer;
        Fragment fragment = Fragment::allow;
    };
    using SendSlot = Slot<k_max_datagram>;
    // Sends one datagram with the Don't Fragment bit; false when the socket is full.
    bool send_whole(const SendSlot& slot);

    udp::socket socket_;
    udp::endpoint local_;
    std::vector<Receiver> receivers_;
    std::vector<std::function<void()>> batch_end_;
    // k_batch datagrams of k_max_received bytes each, left uninitialised: a page is resident
    // once a datagram has been read into it (an idle port holds none of the 256 KiB).
    std::unique_ptr<std::uint8_t[]> received_bytes_;
    std::array<udp::endpoint, k_batch> received_from_;
    // Queued sends, sent_ of them already out; a ring would save a move that is rare.
    std::vector<SendSlot> send_slots_;
    std::size_t queued_ = 0;
    bool flush_posted_ = false;
    bool waiting_writable_ = false;
    UdpPortStats stats_;
    // Cleared when the port goes, so that handlers still queued do nothing.
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace shoal::net
