#pragma once
// One UDP socket for one thread: receive a batch of datagrams (recvmmsg), answer each through
// UdpHandler, send the replies as one batch (sendmmsg). Batching halves the system calls per
// request, which is most of a UDP tracker's cost.
//
// While datagrams queue faster than they are answered (full batches), the socket is taken out
// of the event loop's epoll set and put back when it runs dry: a registered socket has a
// waiter, and the kernel wakes that waiter for every datagram sent, which costs about a
// twentieth of the tracker's CPU at full load.

#include <boost/asio/awaitable.hpp>

#include <sys/socket.h>

#include <array>
#include <vector>

#include "tracker/metrics.hpp"
#include "tracker/net.hpp"
#include "tracker/udp_handler.hpp"

namespace shoal::tracker {

class UdpFrontend final : UdpLateReplies {
  public:
    UdpFrontend(udp::socket socket, UdpHandler& handler, Metrics& metrics);
    ~UdpFrontend();
    UdpFrontend(const UdpFrontend&) = delete;
    UdpFrontend& operator=(const UdpFrontend&) = delete;

    void start();
    void stop();

  private:
    static constexpr std::size_t k_batch = 64;
    static constexpr std::size_t k_datagram = 2048;

    asio::awaitable<void> receive_loop();
    // Takes the socket out of the event loop, or puts it back; false when that failed.
    bool unwatch();
    bool watch();
    // Answers the `count` datagrams received into the batch and sends the replies.
    void answer(std::size_t count);
    // One reply on its own, when the store answered after its batch was done.
    void send_late(const sockaddr_storage& to, socklen_t length,
                   std::span<const std::uint8_t> reply) override;

    udp::socket socket_;     // registered with the event loop while `watched_`
    int fd_ = -1;            // the socket, watched or not; -1 once stopped
    bool watched_ = true;
    udp protocol_;
    UdpHandler& handler_;
    Metrics& metrics_;
    std::vector<std::uint8_t> in_;  // k_batch slots of k_datagram bytes
    std::array<std::vector<std::uint8_t>, k_batch> out_;
    std::array<sockaddr_storage, k_batch> from_{};
    std::array<iovec, k_batch> in_iov_{};
    std::array<iovec, k_batch> out_iov_{};
    std::array<mmsghdr, k_batch> in_msgs_{};
    std::array<mmsghdr, k_batch> out_msgs_{};
};

}  // namespace shoal::tracker
