#include "swarm/peer_handshake.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "net/tcp_stream.hpp"

namespace shoal {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;

namespace {

std::string failure_text(const boost::system::error_code& ec) {
    return ec == asio::error::eof ? "closed during the handshake" : ec.message();
}

wire::Handshake ours_for(const SwarmId& swarm, const SwarmHash& info_hash, const wire::PeerId& our_id) {
    wire::Handshake ours;
    ours.reserved = wire::our_reserved(swarm.hybrid());
    ours.info_hash = info_hash.bytes;
    ours.peer_id = our_id;
    return ours;
}

// Reads exactly `buffer` before the timer fires; false when it fired first.
asio::awaitable<bool> read_within(net::PeerStream& stream, asio::mutable_buffer buffer, asio::steady_timer& timer,
                                  boost::system::error_code& ec) {
    auto read = co_await (asio::async_read(stream, buffer, asio::redirect_error(asio::use_awaitable, ec)) ||
                          timer.async_wait(asio::use_awaitable));
    co_return read.index() == 0;
}

}  // namespace

asio::awaitable<Result<HandshakeDone>> handshake_outgoing(std::unique_ptr<net::PeerStream> stream,
                                                          SwarmId swarm, wire::PeerId our_id,
                                                          std::chrono::milliseconds timeout) {
    asio::steady_timer timer(stream->get_executor(), timeout);
    boost::system::error_code ec;
    const std::string out = wire::encode_handshake(ours_for(swarm, swarm.wire_hash(), our_id));
    auto wrote = co_await (asio::async_write(*stream, asio::buffer(out), asio::redirect_error(asio::use_awaitable, ec)) ||
                           timer.async_wait(asio::use_awaitable));
    if (wrote.index() != 0) co_return make_error("no handshake in time");
    if (ec) co_return make_error(failure_text(ec));
    std::string reply(wire::k_handshake_size, '\0');
    if (!co_await read_within(*stream, asio::buffer(reply), timer, ec)) co_return make_error("no handshake in time");
    if (ec) co_return make_error(failure_text(ec));
    auto theirs = wire::decode_handshake(reply);
    if (!theirs || !swarm.matches(SwarmHash{theirs->info_hash})) co_return make_error("not a handshake for this torrent");
    co_return HandshakeDone{*theirs, std::move(stream)};
}

asio::awaitable<Result<HandshakeDone>> connect_to_peer(asio::any_io_executor executor, asio::ip::tcp::endpoint endpoint,
                                                       SwarmId swarm, wire::PeerId our_id,
                                                       std::chrono::milliseconds timeout) {
    auto stream = co_await net::dial_tcp(std::move(executor), endpoint, timeout);
    if (!stream) co_return stream.error();
    co_return co_await handshake_outgoing(std::move(*stream), std::move(swarm), our_id, timeout);
}

asio::awaitable<Result<HandshakeDone>> handshake_incoming(std::unique_ptr<net::PeerStream> stream,
                                                          FindSwarm find, wire::PeerId our_id,
                                                          std::chrono::milliseconds timeout) {
    asio::steady_timer timer(stream->get_executor(), timeout);
    boost::system::error_code ec;
    std::string bytes(wire::k_handshake_size, '\0');
    // The protocol string first, checked as it arrives: an encrypted handshake (which a
    // libtorrent peer then retries in plain text) is closed at once.
    constexpr std::size_t k_prefix = 20;
    std::size_t got = 0;
    while (got < k_prefix) {
        auto some = co_await (stream->async_read_some(asio::buffer(bytes.data() + got, k_prefix - got),
                                                      asio::redirect_error(asio::use_awaitable, ec)) ||
                              timer.async_wait(asio::use_awaitable));
        if (some.index() != 0) co_return make_error("no handshake in time");
        if (ec) co_return make_error(failure_text(ec));
        got += std::get<0>(some);
        if (!wire::plausible_protocol_prefix(std::string_view(bytes.data(), got))) {
            co_return make_error("not a plain BitTorrent handshake");
        }
    }
    if (!co_await read_within(*stream, asio::buffer(bytes.data() + k_prefix, bytes.size() - k_prefix), timer, ec)) {
        co_return make_error("no handshake in time");
    }
    if (ec) co_return make_error(failure_text(ec));
    auto theirs = wire::decode_handshake(bytes);
    if (!theirs) co_return make_error("not a plain BitTorrent handshake");
    const auto swarm = find(SwarmHash{theirs->info_hash});
    if (!swarm) co_return make_error("a handshake for a torrent we do not have");
    const std::string out = wire::encode_handshake(ours_for(*swarm, swarm->answer_to(*theirs), our_id));
    auto wrote = co_await (asio::async_write(*stream, asio::buffer(out), asio::redirect_error(asio::use_awaitable, ec)) ||
                           timer.async_wait(asio::use_awaitable));
    if (wrote.index() != 0) co_return make_error("the peer does not read");
    if (ec) co_return make_error(failure_text(ec));
    co_return HandshakeDone{*theirs, std::move(stream)};
}

}  // namespace shoal
