#pragma once
// A uTP connection as UtpSocket and its UtpStream share it: the connection, and the reader,
// writer or dialer waiting on it. Private to utp_socket.cpp and utp_stream.cpp.

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <vector>

#include "utp/utp_socket.hpp"

namespace shoal::utp {

struct UtpSocket::Flow {
    Flow(UtpSocket& owner, const udp::endpoint& peer_endpoint, const UtpConfig& config)
        : socket(&owner),
          peer(peer_endpoint),
          remote(peer_endpoint.address(), peer_endpoint.port()),
          conn(config, [this](std::span<const std::uint8_t> datagram) {
              if (socket)
                  socket->port_.send_to(datagram, peer,
                                        conn.sending_probe() ? net::Fragment::forbid : net::Fragment::allow);
          }) {}

    UtpSocket* socket;  // null once the socket is gone: nothing is sent any more
    udp::endpoint peer;
    boost::asio::ip::tcp::endpoint remote;  // the same, as peer streams name their peer
    UtpConnection conn;
    bool stream_open = false;  // a stream holds the connection and has not closed it
    bool half_open = false;    // counted in the socket's half-open limits
    bool touched = false;      // in the socket's list of flows that took packets this batch
    std::uint64_t linger_deadline_us = 0;  // closed by us: aborted if not finished by then

    boost::asio::mutable_buffer read_buffer;
    net::PeerStream::Handler read_handler;
    std::vector<boost::asio::const_buffer> write_buffers;
    net::PeerStream::Handler write_handler;
    // Dialed and not yet connected: expires at the dial's deadline, cancelled once the
    // connection is set up or has failed.
    std::unique_ptr<boost::asio::steady_timer> connecting;
};

// Completes `handler` (which then is empty) from the executor, never inside the caller.
inline void post_completion(const boost::asio::any_io_executor& executor, net::PeerStream::Handler& handler,
                            boost::system::error_code ec, std::size_t bytes) {
    net::PeerStream::Handler taken;
    taken.swap(handler);  // (Boost 1.81's move assignment of a handler recurses)
    boost::asio::post(executor, [h = std::move(taken), ec, bytes]() mutable { std::move(h)(ec, bytes); });
}

}  // namespace shoal::utp
