#include "tracker/udp_frontend.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>

#include <array>

#include "tracker/address.hpp"
#include "tracker/log.hpp"

namespace shoal::tracker {

UdpFrontend::UdpFrontend(udp::socket socket, UdpHandler& handler, Metrics& metrics)
    : socket_(std::move(socket)), handler_(handler), metrics_(metrics) {}

void UdpFrontend::start() {
    boost::system::error_code ec;
    socket_.non_blocking(true, ec);
    asio::co_spawn(socket_.get_executor(), receive_loop(), [](std::exception_ptr e) {
        if (e)
            log_event(LogLevel::error, "internal_error", {{"where", "udp loop"}});
    });
}

void UdpFrontend::stop() {
    boost::system::error_code ec;
    socket_.close(ec);
}

asio::awaitable<void> UdpFrontend::receive_loop() {
    // Read without waiting while datagrams are queued; yield now and then so HTTP on the
    // same thread is not starved by a flood.
    constexpr int k_batch = 64;
    std::array<std::uint8_t, 2048> in{};
    std::vector<std::uint8_t> out;
    out.reserve(k_udp_max_reply);
    udp::endpoint from;
    int handled = 0;
    for (;;) {
        boost::system::error_code ec;
        const std::size_t n = socket_.receive_from(asio::buffer(in), from, 0, ec);
        if (ec == asio::error::would_block || ec == asio::error::try_again) {
            handled = 0;
            auto [wait_ec] = co_await socket_.async_wait(udp::socket::wait_read, k_use_tuple);
            if (wait_ec == asio::error::operation_aborted || !socket_.is_open())
                co_return;
            continue;
        }
        if (ec) {
            if (ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor ||
                !socket_.is_open()) {
                co_return;
            }
            continue;  // e.g. ICMP port unreachable reported on the socket
        }
        const PeerEndpoint sender{from_asio(from.address()), from.port()};
        bool reply = false;
        try {
            reply = handler_.handle({in.data(), n}, sender, out);
        } catch (const std::exception& e) {
            metrics_.error(ErrorKind::internal);
            log_event(LogLevel::error, "internal_error", {{"where", "udp"}, {"what", e.what()}});
        }
        if (reply && !out.empty())
            socket_.send_to(asio::buffer(out), from, 0, ec);
        if (++handled >= k_batch) {
            handled = 0;
            co_await asio::post(socket_.get_executor(), asio::use_awaitable);
        }
    }
}

}  // namespace shoal::tracker
