#include "net/bound_tcp_socket.hpp"

namespace shoal::net {

using boost::asio::ip::tcp;

Result<Done> open_bound_tcp_socket(tcp::socket& socket, const tcp& protocol,
                                   const SocketBinding& binding) {
    boost::system::error_code ec;
    socket.open(protocol, ec);
    if (ec)
        return make_error(ErrorCode::network, "cannot open a TCP socket: " + ec.message());
    if (auto bound = bind_to_device(socket.native_handle(), binding.device); !bound)
        return bound.error();
    const auto& source = binding.source;
    if (source && source->is_v4() == (protocol == tcp::v4())) {
        socket.bind(tcp::endpoint(*source, 0), ec);
        if (ec)
            return make_error(ErrorCode::network, "cannot connect from source address " +
                                                      source->to_string() + ": " + ec.message());
    }
    return Done{};
}

}  // namespace shoal::net
