#pragma once
// A peer stream over one uTP connection of a UtpSocket: reads take what the connection has
// delivered in order, writes queue what fits in its send buffer; both wait when there is
// nothing to do, and the socket wakes them. Closing sends a FIN once everything queued is
// out; the socket keeps the connection until it has finished.

#include <memory>

#include "net/peer_stream.hpp"
#include "utp/utp_socket.hpp"

namespace shoal::utp {

class UtpStream final : public net::PeerStream {
  public:
    UtpStream(std::shared_ptr<UtpSocket::Flow> flow, executor_type executor);
    ~UtpStream() override;

    executor_type get_executor() override { return executor_; }
    const boost::asio::ip::tcp::endpoint& remote_endpoint() const override;
    void close() override;
    net::Transport transport() const override { return net::Transport::utp; }

  protected:
    void read_some(boost::asio::mutable_buffer buffer, Handler handler) override;
    void write_some(std::vector<boost::asio::const_buffer> buffers, Handler handler) override;

  private:
    std::shared_ptr<UtpSocket::Flow> flow_;
    executor_type executor_;
};

}  // namespace shoal::utp
