#include "session/transports.hpp"

#include "net/tcp_stream.hpp"

namespace shoal {

namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;

namespace {

// A uTP attempt after TCP failed waits this long at most: a peer that speaks uTP answers a
// SYN within a round trip, and one that is gone has already cost the TCP timeout.
constexpr auto k_utp_fallback_timeout = std::chrono::seconds(3);

}  // namespace

Transports::Transports(asio::any_io_executor executor, const SessionSettings& settings,
                       std::uint16_t port)
    : executor_(std::move(executor)), tcp_enabled_(settings.enable_tcp) {
    const auto addresses = listen_addresses(settings);
    if (addresses.empty())
        return;
    binding_.device = settings.network_interface;
    if (addresses.size() == 1 && !addresses.front().is_unspecified())
        binding_.source = addresses.front();
    std::optional<asio::ip::address> v4;
    std::optional<asio::ip::address> v6;
    for (const auto& address : addresses)
        (address.is_v4() ? v4 : v6) = address;
    // Listening on IPv6 alone serves IPv4 too, as the TCP listener does where the system maps it.
    if (!v4)
        v4 = asio::ip::address_v4::any();
    auto open = [&](const asio::ip::address& address, std::unique_ptr<net::UdpPort>& into) {
        if (auto opened = net::UdpPort::open(executor_, udp::endpoint(address, port), binding_.device)) {
            into = std::move(*opened);
        } else {
            problems_.push_back(opened.error().message);
        }
    };
    open(*v4, v4_);
    if (v6)
        open(*v6, v6_);
    utp_enabled_ = settings.enable_utp;
    // Even with uTP off a socket answers SYNs (with a RESET), so peers turn to TCP at once.
    for (auto* p : {v4_.get(), v6_.get()}) {
        if (p)
            utp_.push_back(std::make_unique<utp::UtpSocket>(*p));
    }
}

Transports::~Transports() {
    stop();
}

void Transports::start(AcceptHandler handler) {
    for (auto& socket : utp_)
        socket->set_accept_handler(handler);
    for (auto* p : {v4_.get(), v6_.get()}) {
        if (p)
            p->start();
    }
}

void Transports::stop() {
    utp_.clear();
    for (auto* p : {v4_.get(), v6_.get()}) {
        if (p)
            p->close();
    }
}

Result<Done> Transports::rebind_device() {
    for (auto* p : {v4_.get(), v6_.get()}) {
        if (!p) continue;
        if (auto bound = p->rebind_device(binding_.device); !bound) return bound.error();
    }
    return Done{};
}

utp::UtpSocket* Transports::utp_for(const asio::ip::address& address) {
    const bool v4 = address.is_v4() || (address.is_v6() && address.to_v6().is_v4_mapped());
    for (auto& socket : utp_) {
        if (socket->port().local_endpoint().address().is_v4() == v4)
            return socket.get();
    }
    return nullptr;
}

net::Dial Transports::dial(net::Transport transport) {
    if (transport == net::Transport::tcp) {
        return [executor = executor_, binding = binding_](tcp::endpoint endpoint, std::chrono::milliseconds timeout) {
            return net::dial_tcp(executor, endpoint, timeout, binding);
        };
    }
    // (The closure calls a member coroutine: a coroutine lambda would read its captures
    // from a closure that may be gone by the time it resumes.)
    return [this](tcp::endpoint endpoint, std::chrono::milliseconds timeout) {
        return dial_utp(endpoint, timeout);
    };
}

asio::awaitable<Result<std::unique_ptr<net::PeerStream>>> Transports::dial_utp(
    tcp::endpoint endpoint, std::chrono::milliseconds timeout) {
    asio::ip::address address = endpoint.address();
    if (address.is_v6() && address.to_v6().is_v4_mapped())
        address = asio::ip::make_address_v4(asio::ip::v4_mapped, address.to_v6());
    utp::UtpSocket* socket = utp_for(address);
    if (!socket)
        co_return make_error(ErrorCode::network, "uTP is off for this address family");
    co_return co_await socket->connect(udp::endpoint(address, endpoint.port()), timeout);
}

asio::awaitable<Result<HandshakeDone>> Transports::dial_peer(tcp::endpoint endpoint, SwarmId swarm,
                                                             wire::PeerId our_id,
                                                             std::chrono::milliseconds timeout,
                                                             DialEncryption encryption, DialOrder order) {
    const bool utp = utp_enabled_ && utp_for(endpoint.address()) != nullptr;
    if (order == DialOrder::utp_only && !utp)
        co_return make_error(ErrorCode::network, "uTP is off or has no UDP port for this address family");
    if (!utp && !tcp_enabled_)
        co_return make_error(ErrorCode::network, "no transport: TCP is off, and uTP is off or has no UDP port");
    const auto first = utp && (order != DialOrder::tcp_first || !tcp_enabled_) ? net::Transport::utp
                                                                               : net::Transport::tcp;
    const net::Dial dial_first = dial(first);
    auto done = co_await connect_to_peer(dial_first, endpoint, swarm, our_id, timeout, encryption);
    if (done || !utp || !tcp_enabled_ || order == DialOrder::utp_only)
        co_return done;
    const auto second = first == net::Transport::utp ? net::Transport::tcp : net::Transport::utp;
    const net::Dial dial_second = dial(second);
    const auto second_timeout = second == net::Transport::utp ? std::min<std::chrono::milliseconds>(
                                                                    timeout, k_utp_fallback_timeout)
                                                              : timeout;
    auto again = co_await connect_to_peer(dial_second, endpoint, std::move(swarm), our_id,
                                          second_timeout, encryption);
    if (again)
        co_return again;
    co_return make_error(again.error().code,
                         std::string(net::transport_name(first)) + ": " + done.error().message +
                             "; " + net::transport_name(second) + ": " + again.error().message);
}

}  // namespace shoal
