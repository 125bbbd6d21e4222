// UtpSocket and UdpPort over real UDP sockets on 127.0.0.1: streams both ways, the demultiplexer
// beside another protocol on the same port, RESETs for unknown connections, SYN limits.

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <optional>
#include <random>

#include "net/udp_port.hpp"
#include "utp/utp_socket.hpp"

namespace shoal::utp {
namespace {

namespace asio = boost::asio;
using asio::ip::udp;

udp::endpoint loopback() {
    return {asio::ip::make_address("127.0.0.1"), 0};
}

std::unique_ptr<net::UdpPort> open_port(asio::io_context& io) {
    auto port = net::UdpPort::open(io.get_executor(), loopback());
    EXPECT_TRUE(port) << port.error().message;
    return std::move(*port);
}

// Runs `io` until `done` or the wall-clock limit (a hang fails instead of blocking).
void run_until(asio::io_context& io, const std::function<bool()>& done,
               std::chrono::seconds limit = std::chrono::seconds(20)) {
    const auto end = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < end) {
        io.run_for(std::chrono::milliseconds(10));
        io.restart();
    }
}

std::vector<std::uint8_t> random_bytes(std::size_t n) {
    std::vector<std::uint8_t> out(n);
    std::mt19937 rng(7);
    for (auto& b : out)
        b = static_cast<std::uint8_t>(rng());
    return out;
}

TEST(UtpSocket, CarriesAStreamBothWaysAndFinishes) {
    asio::io_context io;
    auto port_a = open_port(io);
    auto port_b = open_port(io);
    UtpSocket a(*port_a);
    UtpSocket b(*port_b);
    std::unique_ptr<net::PeerStream> accepted;
    b.set_accept_handler([&](std::unique_ptr<net::PeerStream> s) { accepted = std::move(s); });
    port_a->start();
    port_b->start();

    const auto to_b = random_bytes(3 * 1024 * 1024 + 17);
    const auto to_a = random_bytes(100'000);
    std::vector<std::uint8_t> got_at_b(to_b.size()), got_at_a(to_a.size());
    bool a_done = false, b_done = false;
    std::string failure;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            auto stream = co_await a.connect(port_b->local_endpoint(), std::chrono::seconds(5));
            if (!stream) {
                failure = stream.error().message;
                co_return;
            }
            EXPECT_EQ((*stream)->transport(), net::Transport::utp);
            co_await asio::async_write(**stream, asio::buffer(to_b), asio::use_awaitable);
            co_await asio::async_read(**stream, asio::buffer(got_at_a), asio::use_awaitable);
            (*stream)->close();
            a_done = true;
        },
        asio::detached);
    run_until(io, [&] { return accepted != nullptr || !failure.empty(); });
    ASSERT_TRUE(accepted) << failure;
    EXPECT_EQ(accepted->remote_endpoint().port(), port_a->local_endpoint().port());
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            co_await asio::async_read(*accepted, asio::buffer(got_at_b), asio::use_awaitable);
            co_await asio::async_write(*accepted, asio::buffer(to_a), asio::use_awaitable);
            // Then the end of the stream: a's FIN.
            std::array<std::uint8_t, 16> more{};
            boost::system::error_code ec;
            co_await accepted->async_read_some(asio::buffer(more),
                                               asio::redirect_error(asio::use_awaitable, ec));
            EXPECT_EQ(ec, asio::error::eof);
            accepted->close();
            b_done = true;
        },
        asio::detached);
    run_until(io, [&] { return a_done && b_done; });
    ASSERT_TRUE(a_done && b_done) << failure;
    EXPECT_EQ(got_at_b, to_b);
    EXPECT_EQ(got_at_a, to_a);
    // Both sides finish and forget the connection.
    run_until(io, [&] { return a.connection_count() == 0 && b.connection_count() == 0; });
    EXPECT_EQ(a.connection_count(), 0u);
    EXPECT_EQ(b.connection_count(), 0u);
    EXPECT_EQ(b.stats().accepted, 1u);
}

TEST(UtpSocket, LeavesOtherProtocolsToTheNextReceiver) {
    asio::io_context io;
    auto port = open_port(io);
    UtpSocket utp(*port);
    std::vector<std::string> others;
    port->add_receiver([&](std::span<const std::uint8_t> d, const udp::endpoint&) {
        others.emplace_back(d.begin(), d.end());
        return true;
    });
    port->start();
    udp::socket sender(io, loopback());
    const std::string krpc = "d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe";
    sender.send_to(asio::buffer(krpc), port->local_endpoint());
    const std::string tracker_reply("\0\0\0\1\0\0\0\5", 8);
    sender.send_to(asio::buffer(tracker_reply), port->local_endpoint());
    run_until(io, [&] { return others.size() == 2; });
    ASSERT_EQ(others.size(), 2u);
    EXPECT_EQ(others[0], krpc);
    EXPECT_EQ(others[1], tracker_reply);
    EXPECT_EQ(utp.stats().malformed + utp.stats().unknown_id, 0u);
}

TEST(UtpSocket, AnswersAPacketForNoConnectionWithAReset) {
    asio::io_context io;
    auto port = open_port(io);
    UtpSocket utp(*port);
    port->start();
    udp::socket peer(io, loopback());
    PacketHeader h;
    h.type = PacketType::data;
    h.connection_id = 4242;
    h.seq_nr = 9;
    std::array<std::uint8_t, 64> bytes{};
    const std::array<std::uint8_t, 3> payload{1, 2, 3};
    const auto n = encode_packet(h, nullptr, payload, bytes);
    peer.send_to(asio::buffer(bytes.data(), n), port->local_endpoint());
    std::array<std::uint8_t, 2048> reply{};
    udp::endpoint from;
    std::optional<std::size_t> got;
    peer.async_receive_from(asio::buffer(reply), from,
                            [&](boost::system::error_code ec, std::size_t size) {
                                if (!ec)
                                    got = size;
                            });
    run_until(
        io, [&] { return got.has_value(); }, std::chrono::seconds(5));
    ASSERT_TRUE(got);
    const auto parsed = parse_packet({reply.data(), *got});
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->header.type, PacketType::reset);
    EXPECT_EQ(parsed->header.connection_id, 4242);
    EXPECT_EQ(parsed->header.ack_nr, 9);
    EXPECT_EQ(utp.stats().unknown_id, 1u);
}

// A SYN as a dialer sends it, with connection id `id`.
void send_syn(udp::socket& from, std::uint16_t id, const udp::endpoint& to) {
    PacketHeader h;
    h.type = PacketType::syn;
    h.connection_id = id;
    h.seq_nr = 1;
    h.wnd_size = 65536;
    std::array<std::uint8_t, 64> bytes{};
    const auto n = encode_packet(h, nullptr, {}, bytes);
    from.send_to(asio::buffer(bytes.data(), n), to);
}

TEST(UtpSocket, HalfOpenConnectionsFromOneAddressAreBounded) {
    asio::io_context io;
    auto port = open_port(io);
    UtpSocketLimits limits;
    limits.max_half_open_per_address = 5;
    UtpSocket utp(*port, {}, limits);
    std::vector<std::unique_ptr<net::PeerStream>> accepted;
    utp.set_accept_handler(
        [&](std::unique_ptr<net::PeerStream> s) { accepted.push_back(std::move(s)); });
    port->start();
    udp::socket flood(io, loopback());
    for (std::uint16_t id = 0; id < 40; ++id) {
        send_syn(flood, static_cast<std::uint16_t>(id * 2), port->local_endpoint());
    }
    run_until(
        io, [&] { return utp.stats().accepted + utp.stats().syn_dropped == 40; },
        std::chrono::seconds(5));
    EXPECT_EQ(utp.stats().accepted, 5u);
    EXPECT_EQ(utp.stats().syn_dropped, 35u);
    EXPECT_EQ(accepted.size(), 5u);
}

// A SYN whose sender never speaks again (a forged one) must not hold a connection once its
// stream is closed: before, closing sent FINs for 30 s and the slot stopped counting as
// half-open, so a flood filled the table past every limit.
TEST(UtpSocket, StreamsClosedBeforeTheInitiatorSpeaksAreResetAndFreed) {
    asio::io_context io;
    auto port = open_port(io);
    UtpSocket utp(*port);
    std::vector<std::unique_ptr<net::PeerStream>> accepted;
    utp.set_accept_handler(
        [&](std::unique_ptr<net::PeerStream> s) { accepted.push_back(std::move(s)); });
    port->start();
    udp::socket flood(io, loopback());
    for (std::uint16_t id = 0; id < 5; ++id) {
        send_syn(flood, static_cast<std::uint16_t>(100 + id * 2), port->local_endpoint());
    }
    run_until(
        io, [&] { return accepted.size() == 5; }, std::chrono::seconds(5));
    ASSERT_EQ(accepted.size(), 5u);
    EXPECT_EQ(utp.connection_count(), 5u);
    for (auto& stream : accepted)
        stream->close();
    EXPECT_EQ(utp.connection_count(), 0u);
    // What the flooder got back: five STATEs, then five RESETs and nothing else.
    std::size_t states = 0, resets = 0, others = 0;
    std::array<std::uint8_t, 2048> reply{};
    udp::endpoint from;
    flood.non_blocking(true);
    run_until(
        io, [] { return false; }, std::chrono::seconds(1));
    boost::system::error_code ec;
    for (;;) {
        const auto size = flood.receive_from(asio::buffer(reply), from, 0, ec);
        if (ec)
            break;
        const auto parsed = parse_packet({reply.data(), size});
        if (parsed && parsed->header.type == PacketType::state)
            ++states;
        else if (parsed && parsed->header.type == PacketType::reset)
            ++resets;
        else
            ++others;
    }
    EXPECT_EQ(states, 5u);
    EXPECT_EQ(resets, 5u);
    EXPECT_EQ(others, 0u);
}

TEST(UtpSocket, DialingAPortWithNoOneListeningFails) {
    asio::io_context io;
    auto port_a = open_port(io);
    auto port_b = open_port(io);  // open, but nobody accepts uTP on it
    UtpSocket a(*port_a);
    UtpSocket b(*port_b);
    port_a->start();
    port_b->start();
    std::optional<Result<std::unique_ptr<net::PeerStream>>> result;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            result = co_await a.connect(port_b->local_endpoint(), std::chrono::milliseconds(1500));
        },
        asio::detached);
    run_until(
        io, [&] { return result.has_value(); }, std::chrono::seconds(10));
    ASSERT_TRUE(result);
    EXPECT_FALSE(*result);
    EXPECT_EQ(b.stats().syn_dropped, 1u);
    EXPECT_EQ(a.connection_count(), 0u);
}

}  // namespace
}  // namespace shoal::utp
