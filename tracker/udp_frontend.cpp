#include "tracker/udp_frontend.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>

#include <netinet/in.h>

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "tracker/address.hpp"
#include "tracker/log.hpp"

namespace shoal::tracker {

UdpFrontend::UdpFrontend(udp::socket socket, UdpHandler& handler, Metrics& metrics)
    : socket_(std::move(socket)),
      fd_(socket_.native_handle()),
      protocol_(udp::v4()),
      handler_(handler),
      metrics_(metrics),
      in_(k_batch * k_datagram) {
    boost::system::error_code ec;
    const udp::endpoint local = socket_.local_endpoint(ec);
    if (!ec)
        protocol_ = local.protocol();
    for (std::size_t i = 0; i < k_batch; ++i) {
        out_[i].reserve(k_udp_max_reply);
        in_iov_[i] = {in_.data() + i * k_datagram, k_datagram};
    }
    handler_.answer_later_through(*this);
}

UdpFrontend::~UdpFrontend() {
    if (!watched_ && fd_ >= 0)
        ::close(fd_);
}

bool UdpFrontend::unwatch() {
    boost::system::error_code ec;
    socket_.release(ec);
    if (ec)
        return false;
    watched_ = false;
    return true;
}

bool UdpFrontend::watch() {
    boost::system::error_code ec;
    socket_.assign(protocol_, fd_, ec);
    if (ec)
        return false;
    watched_ = true;
    return true;
}

void UdpFrontend::send_late(const sockaddr_storage& to, socklen_t length,
                            std::span<const std::uint8_t> reply) {
    if (fd_ < 0 || reply.empty())
        return;
    // Like a batch's replies: a full send buffer drops it, and the client retries.
    ::sendto(fd_, reply.data(), reply.size(), MSG_DONTWAIT, reinterpret_cast<const sockaddr*>(&to),
             length);
}

void UdpFrontend::start() {
    boost::system::error_code ec;
    socket_.non_blocking(true, ec);
    asio::co_spawn(socket_.get_executor(), receive_loop(), [](std::exception_ptr e) {
        if (e)
            log_event(LogLevel::error, "internal_error", {{"where", "udp loop"}});
    });
}

void UdpFrontend::stop() {
    if (watched_) {
        boost::system::error_code ec;
        socket_.close(ec);  // ends a wait in receive_loop
    } else if (fd_ >= 0) {
        ::close(fd_);  // receive_loop is between batches and sees fd_ < 0
    }
    fd_ = -1;
}

void UdpFrontend::answer(std::size_t count) {
    std::size_t replies = 0;
    for (std::size_t i = 0; i < count; ++i) {
        PeerEndpoint sender;
        if (!endpoint_from_sockaddr(from_[i], sender))
            continue;
        bool reply = false;
        std::vector<std::uint8_t>& out = out_[replies];
        try {
            reply = handler_.handle({in_.data() + i * k_datagram, in_msgs_[i].msg_len}, sender,
                                    out, UdpReturnPath{&from_[i], in_msgs_[i].msg_hdr.msg_namelen});
        } catch (const std::exception& e) {
            metrics_.error(ErrorKind::internal);
            log_event(LogLevel::error, "internal_error", {{"where", "udp"}, {"what", e.what()}});
        }
        if (!reply || out.empty())
            continue;
        out_iov_[replies] = {out.data(), out.size()};
        msghdr& h = out_msgs_[replies].msg_hdr;
        h = msghdr{};
        h.msg_name = &from_[i];
        h.msg_namelen = in_msgs_[i].msg_hdr.msg_namelen;
        h.msg_iov = &out_iov_[replies];
        h.msg_iovlen = 1;
        ++replies;
    }
    // A full send buffer drops the rest, as a router would; clients retry.
    std::size_t sent = 0;
    while (sent < replies) {
        const int n = ::sendmmsg(fd_, out_msgs_.data() + sent,
                                 static_cast<unsigned>(replies - sent), MSG_DONTWAIT);
        if (n <= 0) {
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
                ++sent;  // e.g. an unreachable destination: skip that one reply
                continue;
            }
            break;
        }
        sent += static_cast<std::size_t>(n);
    }
}

asio::awaitable<void> UdpFrontend::receive_loop() {
    // Read without waiting while datagrams are queued; yield now and then so HTTP on the
    // same thread is not starved by a flood.
    constexpr int k_batches_before_yield = 2;
    int batches = 0;
    for (;;) {
        if (fd_ < 0)
            co_return;
        for (std::size_t i = 0; i < k_batch; ++i) {
            msghdr& h = in_msgs_[i].msg_hdr;
            h = msghdr{};
            h.msg_name = &from_[i];
            h.msg_namelen = sizeof(sockaddr_storage);
            h.msg_iov = &in_iov_[i];
            h.msg_iovlen = 1;
        }
        const int n = ::recvmmsg(fd_, in_msgs_.data(), static_cast<unsigned>(k_batch),
                                 MSG_DONTWAIT, nullptr);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                batches = 0;
                if (!watched_ && !watch()) {
                    log_event(LogLevel::error, "internal_error", {{"where", "udp watch"}});
                    co_return;
                }
                auto [wait_ec] = co_await socket_.async_wait(udp::socket::wait_read, k_use_tuple);
                if (wait_ec == asio::error::operation_aborted || fd_ < 0)
                    co_return;
                continue;
            }
            if (errno == EBADF || fd_ < 0)
                co_return;
            continue;  // EINTR, or an ICMP error reported on the socket
        }
        // A full batch: more are queued, so the loop will not wait for a while.
        if (watched_ && static_cast<std::size_t>(n) == k_batch)
            unwatch();
        answer(static_cast<std::size_t>(n));
        if (++batches >= k_batches_before_yield) {
            batches = 0;
            co_await asio::post(socket_.get_executor(), asio::use_awaitable);
        }
    }
}

}  // namespace shoal::tracker
