#include "session/listen_sockets.hpp"

#include <boost/asio/ip/v6_only.hpp>
#include <stdexcept>
#include <system_error>

#include "net/global_ipv6_address.hpp"
#include "net/socket_binding.hpp"

namespace shoal {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

// With port 0 the first socket picks a free port; another program may hold that number on
// the other family. Give up on a common free port after this many tries.
constexpr int k_free_port_tries = 8;

std::string endpoint_text(const tcp::endpoint& endpoint) {
    const auto address = endpoint.address();
    const std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
    return host + ":" + std::to_string(endpoint.port());
}

// Opens, binds and listens; throws std::runtime_error when the socket cannot be bound to the
// interface (no use trying another address or port then).
boost::system::error_code listen_on(tcp::acceptor& acceptor, const tcp::endpoint& endpoint,
                                    const std::string& device, bool v6_only) {
    boost::system::error_code ec;
    acceptor.open(endpoint.protocol(), ec);
    if (!ec)
        acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec && endpoint.address().is_v6())
        acceptor.set_option(asio::ip::v6_only(v6_only), ec);
    if (!ec) {
        if (auto bound = net::bind_to_device(acceptor.native_handle(), device); !bound)
            throw std::runtime_error(bound.error().message);
    }
    if (!ec)
        acceptor.bind(endpoint, ec);
    if (!ec)
        acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
        boost::system::error_code ignored;
        acceptor.close(ignored);
    }
    return ec;
}

}  // namespace

ListenSockets::ListenSockets(asio::any_io_executor executor, const SessionSettings& settings)
    : executor_(std::move(executor)) {
    const auto addresses = listen_addresses(settings);
    if (addresses.empty())
        throw std::system_error(std::make_error_code(std::errc::invalid_argument),
                                "\"" + settings.listen_host + "\" is not an IP address");
    for (int attempt = 0; attempt < k_free_port_tries; ++attempt) {
        if (open_all(settings, addresses))
            return;
    }
    // Every try lost the later family's port: keep the first family alone.
    open_all(settings, {addresses.front()});
}

bool ListenSockets::open_all(const SessionSettings& settings,
                             const std::vector<asio::ip::address>& addresses) {
    close();
    acceptors_.clear();
    problems_.clear();
    port_ = settings.listen_port;
    // Separate sockets per family take IPv6 only on the IPv6 one; "::" alone serves both.
    const bool separate = addresses.size() > 1;
    for (const auto& address : addresses) {
        tcp::acceptor acceptor(executor_);
        const tcp::endpoint endpoint(address, port_);
        const auto ec = listen_on(acceptor, endpoint, settings.network_interface, separate);
        if (ec && acceptors_.empty())
            throw std::system_error(ec, "cannot listen on " + endpoint_text(endpoint));
        if (ec) {
            if (settings.listen_port == 0 && ec == asio::error::address_in_use)
                return false;
            problems_.push_back(std::system_error(ec, "cannot listen on " + endpoint_text(endpoint)).what());
            continue;
        }
        if (acceptors_.empty())
            port_ = acceptor.local_endpoint().port();
        acceptors_.push_back(std::move(acceptor));
    }
    return true;
}

std::string ListenSockets::describe() const {
    std::string out;
    for (const auto& acceptor : acceptors_) {
        boost::system::error_code ec;
        const auto local = acceptor.local_endpoint(ec);
        if (ec)
            continue;
        if (!out.empty())
            out += " and ";
        out += endpoint_text(local);
    }
    return out;
}

std::optional<boost::asio::ip::address_v6> ListenSockets::reachable_ipv6(
    const std::string& device) const {
    for (const auto& acceptor : acceptors_) {
        boost::system::error_code ec;
        const auto address = acceptor.local_endpoint(ec).address();
        if (ec || !address.is_v6() || address.to_v6().is_v4_mapped())
            continue;
        if (address.is_unspecified())
            return net::global_ipv6_address(device);
        if (net::is_global_ipv6(address.to_v6()))
            return address.to_v6();
    }
    return std::nullopt;
}

Result<Done> ListenSockets::rebind_device(const std::string& device) {
    for (auto& acceptor : acceptors_) {
        if (!acceptor.is_open()) continue;
        if (auto bound = net::bind_to_device(acceptor.native_handle(), device); !bound) return bound.error();
    }
    return Done{};
}

void ListenSockets::close() {
    for (auto& acceptor : acceptors_) {
        boost::system::error_code ignored;
        acceptor.close(ignored);
    }
}

}  // namespace shoal
