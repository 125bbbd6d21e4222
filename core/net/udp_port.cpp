#include "net/udp_port.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <cerrno>
#include <cstring>

#include "net/socket_binding.hpp"

namespace shoal::net {

namespace asio = boost::asio;
using asio::ip::udp;

namespace {

// Socket buffers that ride out a burst: a full receive buffer loses datagrams the way the
// network would, but needlessly. The kernel may cap them, which is fine.
constexpr int k_socket_buffer = 4 * 1024 * 1024;

}  // namespace

Result<std::unique_ptr<UdpPort>> UdpPort::open(asio::any_io_executor executor,
                                               const udp::endpoint& endpoint,
                                               const std::string& device) {
    udp::socket socket(executor);
    boost::system::error_code ec;
    socket.open(endpoint.protocol(), ec);
    if (!ec) {
        if (auto bound = bind_to_device(socket.native_handle(), device); !bound)
            return bound.error();
    }
    if (!ec && endpoint.address().is_v6())
        socket.set_option(asio::ip::v6_only(true), ec);
    if (!ec)
        socket.bind(endpoint, ec);
    if (!ec)
        socket.non_blocking(true, ec);
    udp::endpoint local;
    if (!ec)
        local = socket.local_endpoint(ec);
    if (ec) {
        return make_error(ErrorCode::network,
                          "cannot listen for UDP on " + endpoint.address().to_string() + " port " +
                              std::to_string(endpoint.port()) + ": " + ec.message());
    }
    boost::system::error_code ignored;
    if (endpoint.address().is_v4()) {
        // Fragmentable unless said otherwise (see Fragment).
        const int dont = IP_PMTUDISC_DONT;
        ::setsockopt(socket.native_handle(), IPPROTO_IP, IP_MTU_DISCOVER, &dont, sizeof dont);
    }
    socket.set_option(asio::socket_base::receive_buffer_size(k_socket_buffer), ignored);
    socket.set_option(asio::socket_base::send_buffer_size(k_socket_buffer), ignored);
    return std::unique_ptr<UdpPort>(new UdpPort(std::move(socket), local));
}

UdpPort::UdpPort(udp::socket socket, udp::endpoint local)
    : socket_(std::move(socket)),
      local_(local),
      received_bytes_(std::make_unique_for_overwrite<std::uint8_t[]>(k_batch * k_max_received)) {}

UdpPort::~UdpPort() {
    *alive_ = false;
    close();
}

void UdpPort::add_receiver(Receiver receiver) {
    receivers_.push_back(std::move(receiver));
}

void UdpPort::add_batch_end(std::function<void()> on_batch_end) {
    batch_end_.push_back(std::move(on_batch_end));
}

void UdpPort::start() {
    wait_readable();
}

Result<Done> UdpPort::rebind_device(const std::string& device) {
    if (!socket_.is_open()) return Done{};
    return bind_to_device(socket_.native_handle(), device);
}

void UdpPort::close() {
    boost::system::error_code ignored;
    socket_.close(ignored);
    queued_ = 0;
}

void UdpPort::wait_readable() {
    socket_.async_wait(udp::socket::wait_read,
                       [this, alive = alive_](boost::system::error_code ec) {
                           if (!*alive || ec || !socket_.is_open())
                               return;
                           receive_batch();
                           wait_readable();
                       });
}

void UdpPort::receive_batch() {
    std::array<mmsghdr, k_batch> headers{};
    std::array<iovec, k_batch> vectors{};
    // Reads until the socket is empty, a batch at a time, so that one wake-up serves a burst;
    // a bounded number of rounds keeps a flood from starving the other handlers.
    for (int round = 0; round < 16; ++round) {
        for (std::size_t i = 0; i < k_batch; ++i) {
            vectors[i] = {received_bytes_.get() + i * k_max_received, k_max_received};
            headers[i] = {};
            headers[i].msg_hdr.msg_iov = &vectors[i];
            headers[i].msg_hdr.msg_iovlen = 1;
            headers[i].msg_hdr.msg_name = received_from_[i].data();
            headers[i].msg_hdr.msg_namelen = static_cast<socklen_t>(received_from_[i].capacity());
        }
        const int got =
            ::recvmmsg(socket_.native_handle(), headers.data(), k_batch, MSG_DONTWAIT, nullptr);
        if (got <= 0)
            return;  // EAGAIN, or an error the next wait reports
        ++stats_.receive_batches;
        for (int i = 0; i < got; ++i) {
            const auto slot = static_cast<std::size_t>(i);
            ++stats_.datagrams_received;
            if (headers[i].msg_hdr.msg_flags & MSG_TRUNC) {
                ++stats_.truncated;
                continue;
            }
            udp::endpoint& from = received_from_[slot];
            from.resize(headers[i].msg_hdr.msg_namelen);
            const std::span<const std::uint8_t> datagram(received_bytes_.get() + slot * k_max_received,
                                                         headers[i].msg_len);
            const bool taken = std::any_of(receivers_.begin(), receivers_.end(),
                                           [&](const Receiver& r) { return r(datagram, from); });
            if (!taken)
                ++stats_.unclaimed;
            if (!socket_.is_open())
                return;
        }
        for (const auto& on_end : batch_end_)
            on_end();
        if (static_cast<std::size_t>(got) < k_batch)
            return;
    }
}

bool UdpPort::send_to(std::span<const std::uint8_t> datagram, const udp::endpoint& to,
                      Fragment fragment) {
    if (!socket_.is_open() || datagram.size() > k_max_datagram || queued_ == k_max_queued_sends) {
        ++stats_.send_dropped;
        return false;
    }
    if (queued_ == send_slots_.size())
        send_slots_.emplace_back();
    SendSlot& slot = send_slots_[queued_++];
    std::memcpy(slot.bytes.data(), datagram.data(), datagram.size());
    slot.size = datagram.size();
    slot.peer = to;
    slot.fragment = fragment;
    if (waiting_writable_)
        return true;
    if (queued_ >= k_batch) {
        flush();
    } else if (!flush_posted_) {
        flush_posted_ = true;
        asio::post(socket_.get_executor(), [this, alive = alive_] {
            if (!*alive)
                return;
            flush_posted_ = false;
            if (!waiting_writable_)
                flush();
        });
    }
    return true;
}

void UdpPort::flush() {
    std::array<mmsghdr, k_batch> headers{};
    std::array<iovec, k_batch> vectors{};
    std::size_t sent = 0;
    while (sent < queued_ && socket_.is_open()) {
        if (send_slots_[sent].fragment == Fragment::forbid) {
            if (!send_whole(send_slots_[sent]))
                break;
            ++sent;
            continue;
        }
        // A batch runs up to the next datagram that must not be fragmented.
        std::size_t n = 0;
        while (n < k_batch && sent + n < queued_ && send_slots_[sent + n].fragment == Fragment::allow)
            ++n;
        for (std::size_t i = 0; i < n; ++i) {
            SendSlot& slot = send_slots_[sent + i];
            vectors[i] = {slot.bytes.data(), slot.size};
            headers[i] = {};
            headers[i].msg_hdr.msg_iov = &vectors[i];
            headers[i].msg_hdr.msg_iovlen = 1;
            headers[i].msg_hdr.msg_name = slot.peer.data();
            headers[i].msg_hdr.msg_namelen = static_cast<socklen_t>(slot.peer.size());
        }
        const int out = ::sendmmsg(socket_.native_handle(), headers.data(),
                                   static_cast<unsigned>(n), MSG_DONTWAIT);
        if (out < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)
                break;
            // Refused for this destination (unreachable, say): that datagram is lost, as on
            // the network; the rest go on.
            ++stats_.send_dropped;
            ++sent;
            continue;
        }
        ++stats_.send_batches;
        stats_.datagrams_sent += static_cast<std::uint64_t>(out);
        sent += static_cast<std::size_t>(out);
    }
    if (sent < queued_ && socket_.is_open()) {
        // The socket buffer is full: keep the rest (in order) until it drains.
        std::move(send_slots_.begin() + static_cast<std::ptrdiff_t>(sent),
                  send_slots_.begin() + static_cast<std::ptrdiff_t>(queued_), send_slots_.begin());
        queued_ -= sent;
        wait_writable();
        return;
    }
    queued_ = 0;
}

bool UdpPort::send_whole(const SendSlot& slot) {
    // The socket's fragmentation setting holds for this one send (Linux has no per-datagram
    // flag): the probe mode sets the bit and ignores what the system has learnt of the path,
    // so that the probe itself finds out.
    const bool v4 = local_.address().is_v4();
    const int level = v4 ? IPPROTO_IP : IPPROTO_IPV6;
    const int option = v4 ? IP_MTU_DISCOVER : IPV6_MTU_DISCOVER;
    const int probe = v4 ? IP_PMTUDISC_PROBE : IPV6_PMTUDISC_PROBE;
    int usual = 0;
    socklen_t usual_size = sizeof usual;
    const int fd = socket_.native_handle();
    if (::getsockopt(fd, level, option, &usual, &usual_size) != 0 ||
        ::setsockopt(fd, level, option, &probe, sizeof probe) != 0) {
        ++stats_.send_dropped;
        return true;
    }
    const auto out = ::sendto(fd, slot.bytes.data(), slot.size, MSG_DONTWAIT,
                              static_cast<const sockaddr*>(slot.peer.data()), static_cast<socklen_t>(slot.peer.size()));
    const int error = errno;
    ::setsockopt(fd, level, option, &usual, sizeof usual);
    if (out >= 0) {
        ++stats_.datagrams_sent;
        return true;
    }
    if (error == EAGAIN || error == EWOULDBLOCK || error == ENOBUFS)
        return false;
    // EMSGSIZE: larger than the interface takes; lost, as a probe the path drops would be.
    ++(error == EMSGSIZE ? stats_.too_big : stats_.send_dropped);
    return true;
}

void UdpPort::wait_writable() {
    waiting_writable_ = true;
    socket_.async_wait(udp::socket::wait_write,
                       [this, alive = alive_](boost::system::error_code ec) {
                           if (!*alive)
                               return;
                           waiting_writable_ = false;
                           if (ec || !socket_.is_open()) {
                               queued_ = 0;
                               return;
                           }
                           flush();
                       });
}

}  // namespace shoal::net
