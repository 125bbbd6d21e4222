#include "net/tcp_stream.hpp"

#include "net/bound_tcp_socket.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace shoal::net {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace asio::experimental::awaitable_operators;

TcpStream::TcpStream(tcp::socket socket) : socket_(std::move(socket)) {
    boost::system::error_code ec;
    remote_ = socket_.remote_endpoint(ec);
    socket_.set_option(tcp::no_delay(true), ec);
}

void TcpStream::rebind_device(const std::string& device) {
    // A socket that cannot be bound again keeps its old binding: its packets find no route.
    if (socket_.is_open()) (void)bind_to_device(socket_.native_handle(), device);
}

void TcpStream::close() {
    boost::system::error_code ec;
    socket_.shutdown(tcp::socket::shutdown_both, ec);
    socket_.close(ec);
}

void TcpStream::read_some(asio::mutable_buffer buffer, Handler handler) {
    socket_.async_read_some(buffer, std::move(handler));
}

void TcpStream::write_some(std::vector<asio::const_buffer> buffers, Handler handler) {
    socket_.async_write_some(buffers, std::move(handler));
}

asio::awaitable<Result<std::unique_ptr<PeerStream>>> dial_tcp(asio::any_io_executor executor, tcp::endpoint endpoint,
                                                              std::chrono::milliseconds timeout,
                                                              SocketBinding binding) {
    tcp::socket socket(executor);
    asio::steady_timer timer(executor, timeout);
    if (auto opened = open_bound_tcp_socket(socket, endpoint.protocol(), binding); !opened)
        co_return opened.error();
    boost::system::error_code ec;
    auto connected = co_await (socket.async_connect(endpoint, asio::redirect_error(asio::use_awaitable, ec)) ||
                               timer.async_wait(asio::use_awaitable));
    if (connected.index() != 0) co_return make_error("connection timed out");
    if (ec) co_return make_error(ec.message());
    co_return std::unique_ptr<PeerStream>(std::make_unique<TcpStream>(std::move(socket)));
}

}  // namespace shoal::net
