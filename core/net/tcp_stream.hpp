#pragma once
// A peer stream over a TCP socket, and dialing one.

#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <memory>
#include <optional>

#include "net/peer_stream.hpp"
#include "net/socket_binding.hpp"
#include "util/result.hpp"

namespace shoal::net {

class TcpStream final : public PeerStream {
public:
    // Takes a connected socket (Nagle off: requests and small messages go out at once).
    explicit TcpStream(boost::asio::ip::tcp::socket socket);

    executor_type get_executor() override { return socket_.get_executor(); }
    const boost::asio::ip::tcp::endpoint& remote_endpoint() const override { return remote_; }
    void close() override;
    void rebind_device(const std::string& device) override;

protected:
    void read_some(boost::asio::mutable_buffer buffer, Handler handler) override;
    void write_some(std::vector<boost::asio::const_buffer> buffers, Handler handler) override;

private:
    boost::asio::ip::tcp::socket socket_;
    boost::asio::ip::tcp::endpoint remote_;
};

// Connects to `endpoint` within `timeout`, through the binding's device when it names one,
// from its source address when that is of the same family (the address the session listens
// on, so that peers see one address and nothing leaves by another route's address); the
// error says why not ("connection timed out",
// "Connection refused", ...).
boost::asio::awaitable<Result<std::unique_ptr<PeerStream>>> dial_tcp(
    boost::asio::any_io_executor executor, boost::asio::ip::tcp::endpoint endpoint, std::chrono::milliseconds timeout,
    SocketBinding binding = {});

}  // namespace shoal::net
