#include "swarm/peer_handshake.hpp"

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>



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
asio::awaitable<bool> read_within(net::PeerStream& stream, asio::mutable_buffer buffer,
                                  asio::steady_timer& timer, boost::system::error_code& ec) {
    auto read =
        co_await (asio::async_read(stream, buffer, asio::redirect_error(asio::use_awaitable, ec)) ||
                  timer.async_wait(asio::use_awaitable));
    co_return read.index() == 0;
}

asio::awaitable<Result<Done>> write_within(net::PeerStream& stream, const std::string& bytes,
                                           asio::steady_timer& timer) {
    boost::system::error_code ec;
    auto wrote = co_await (asio::async_write(stream, asio::buffer(bytes),
                                             asio::redirect_error(asio::use_awaitable, ec)) ||
                           timer.async_wait(asio::use_awaitable));
    if (wrote.index() != 0)
        co_return make_error(ErrorCode::timeout, "the peer does not read");
    if (ec)
        co_return make_error(ErrorCode::network, failure_text(ec));
    co_return Done{};
}

// Their whole handshake (the first `have` bytes of it already in `bytes`).
asio::awaitable<Result<wire::Handshake>> read_handshake(net::PeerStream& stream, std::string bytes,
                                                        asio::steady_timer& timer) {
    const std::size_t have = bytes.size();
    bytes.resize(wire::k_handshake_size);
    boost::system::error_code ec;
    if (!co_await read_within(stream, asio::buffer(bytes.data() + have, bytes.size() - have), timer,
                              ec)) {
        co_return make_error(ErrorCode::timeout, "no handshake in time");
    }
    if (ec)
        co_return make_error(ErrorCode::network, failure_text(ec));
    auto theirs = wire::decode_handshake(bytes);
    if (!theirs)
        co_return make_error(ErrorCode::invalid_input, "not a plain BitTorrent handshake");
    co_return *theirs;
}

// handshake_outgoing; `mse_failed` tells whether the encryption step was what failed.
asio::awaitable<Result<HandshakeDone>> outgoing(std::unique_ptr<net::PeerStream> stream,
                                                SwarmId swarm, wire::PeerId our_id,
                                                std::chrono::milliseconds timeout,
                                                std::uint32_t mse_offer, bool& mse_failed) {
    const std::string ours = wire::encode_handshake(ours_for(swarm, swarm.wire_hash(), our_id));
    // One deadline for the whole step, the MSE handshake included.
    asio::steady_timer timer(stream->get_executor(), timeout);
    if (mse_offer != 0) {
        mse::Options options;
        options.timeout = timeout;
        auto established = co_await mse::handshake_as_initiator(
            std::move(stream), swarm.wire_hash().bytes, mse_offer, ours, options);
        if (!established) {
            mse_failed = true;
            co_return established.error();
        }
        stream = std::move(established->stream);
    }
    if (mse_offer == 0) {
        if (auto sent = co_await write_within(*stream, ours, timer); !sent)
            co_return sent.error();
    }
    std::string none;  // named: GCC 12 destroys a temporary argument of a co_awaited call twice
    auto theirs = co_await read_handshake(*stream, std::move(none), timer);
    if (!theirs)
        co_return theirs.error();
    if (!swarm.matches(SwarmHash{theirs->info_hash}))
        co_return make_error("not a handshake for this torrent");
    co_return HandshakeDone{*theirs, std::move(stream)};
}

}  // namespace

asio::awaitable<Result<HandshakeDone>> handshake_outgoing(std::unique_ptr<net::PeerStream> stream,
                                                          SwarmId swarm, wire::PeerId our_id,
                                                          std::chrono::milliseconds timeout,
                                                          std::uint32_t mse_offer) {
    bool mse_failed = false;
    co_return co_await outgoing(std::move(stream), std::move(swarm), our_id, timeout, mse_offer,
                                mse_failed);
}

asio::awaitable<Result<HandshakeDone>> connect_to_peer(const net::Dial& dial,
                                                       asio::ip::tcp::endpoint endpoint, SwarmId swarm,
                                                       wire::PeerId our_id,
                                                       std::chrono::milliseconds timeout,
                                                       DialEncryption encryption) {
    const bool prefer = encryption.policy == EncryptionPolicy::prefer;
    const bool try_mse =
        encryption.policy == EncryptionPolicy::require || (prefer && !encryption.plain_first);
    auto stream = co_await dial(endpoint, timeout);
    if (!stream)
        co_return stream.error();
    if (!try_mse)
        co_return co_await handshake_outgoing(std::move(*stream), std::move(swarm), our_id,
                                              timeout);
    // libtorrent's default offer: RC4, and plain text unless encryption is required.
    const std::uint32_t offer = prefer ? (mse::k_rc4 | mse::k_plaintext) : mse::k_rc4;
    bool mse_failed = false;
    auto done = co_await outgoing(std::move(*stream), swarm, our_id, timeout, offer, mse_failed);
    if (done || !mse_failed || !prefer)
        co_return done;
    // The peer does not speak MSE (or not with us): once more in plain text.
    auto again = co_await dial(endpoint, timeout);
    if (!again)
        co_return again.error();
    auto plain = co_await handshake_outgoing(std::move(*again), std::move(swarm), our_id, timeout);
    if (plain)
        plain->fell_back_to_plain = true;
    co_return plain;
}

asio::awaitable<Result<HandshakeDone>> handshake_incoming(std::unique_ptr<net::PeerStream> stream,
                                                          FindSwarm find, wire::PeerId our_id,
                                                          std::chrono::milliseconds timeout,
                                                          AcceptEncryption encryption) {
    asio::steady_timer timer(stream->get_executor(), timeout);
    boost::system::error_code ec;
    // The protocol string first, checked as it arrives: anything else is an MSE handshake
    // (whose first 96 bytes are a random-looking public key) or something to close at once.
    constexpr std::size_t k_prefix = 20;
    std::string first(k_prefix, '\0');
    std::size_t got = 0;
    bool plain = true;
    while (got < k_prefix && plain) {
        auto some =
            co_await (stream->async_read_some(asio::buffer(first.data() + got, k_prefix - got),
                                              asio::redirect_error(asio::use_awaitable, ec)) ||
                      timer.async_wait(asio::use_awaitable));
        if (some.index() != 0)
            co_return make_error(ErrorCode::timeout, "no handshake in time");
        if (ec)
            co_return make_error(ErrorCode::network, failure_text(ec));
        got += std::get<0>(some);
        plain = wire::plausible_protocol_prefix(std::string_view(first.data(), got));
    }
    first.resize(got);
    std::optional<mse::StreamKey> skey;
    if (plain) {
        if (encryption.policy == EncryptionPolicy::require) {
            co_return make_error(ErrorCode::refused,
                                 "a plain handshake, and encryption is required");
        }
    } else {
        if (encryption.policy == EncryptionPolicy::disable) {
            co_return make_error(ErrorCode::refused, "not a plain BitTorrent handshake");
        }
        mse::Options options;
        options.timeout = timeout;
        const std::uint32_t accept = encryption.policy == EncryptionPolicy::require
                                         ? mse::k_rc4
                                         : (mse::k_rc4 | mse::k_plaintext);
        auto established = co_await mse::handshake_as_receiver(
            std::move(stream), std::move(first), encryption.find_stream_key, accept, options);
        if (!established)
            co_return established.error();
        stream = std::move(established->stream);
        skey = established->skey;
        first.clear();
    }
    auto theirs = co_await read_handshake(*stream, std::move(first), timer);
    if (!theirs)
        co_return theirs.error();
    const auto swarm = find(SwarmHash{theirs->info_hash});
    if (!swarm)
        co_return make_error(ErrorCode::not_found, "a handshake for a torrent we do not have");
    if (skey && !swarm->matches(SwarmHash{*skey})) {
        co_return make_error(ErrorCode::invalid_input,
                             "a handshake for another torrent than the encryption named");
    }
    const std::string out =
        wire::encode_handshake(ours_for(*swarm, swarm->answer_to(*theirs), our_id));
    if (auto sent = co_await write_within(*stream, out, timer); !sent)
        co_return sent.error();
    co_return HandshakeDone{*theirs, std::move(stream)};
}

}  // namespace shoal
