// libFuzzer target: the receiving side of an MSE handshake, the input being what the peer
// sends. Our Diffie-Hellman key is fixed, so that an input can carry a valid exchange (the
// seeds are made by make_mse_corpus.py) and mutations reach every step. The first byte sets
// the size of the pieces the rest arrives in. Whatever arrives, the handshake must end
// (completed or refused) once the peer has closed, and send no more than its own messages.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <cstdint>
#include <string_view>

#include "encryption/mse_handshake.hpp"
#include "memory_stream.hpp"

namespace {

namespace asio = boost::asio;
using namespace shoal::mse;

// Ours: bytes 0x21..0x34. The torrents we serve: 0x11 * 20 and 0x22 * 20.
PrivateKey our_key() {
    PrivateKey x{};
    for (std::size_t i = 0; i < x.size(); ++i)
        x[i] = static_cast<std::uint8_t>(0x21 + i);
    return x;
}

StreamKey filled(std::uint8_t c) {
    StreamKey k;
    k.fill(c);
    return k;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1)
        return 0;
    const std::size_t piece = 1 + static_cast<std::size_t>(data[0]) * 8;
    std::string_view input(reinterpret_cast<const char*>(data + 1), size - 1);

    asio::io_context io;
    const asio::ip::tcp::endpoint us(asio::ip::make_address("198.51.100.1"), 6881);
    const asio::ip::tcp::endpoint them(asio::ip::make_address("198.51.100.2"), 51413);
    auto [ours, remote] = shoal::test::MemoryStream::pair(io.get_executor(), us, them, 64 * 1024);
    std::optional<shoal::Result<Established>> done;
    std::string after;  // what the stream delivers after the handshake
    asio::co_spawn(
        io,
        [&, stream = std::move(ours)]() mutable -> asio::awaitable<void> {
            Options options;
            options.padding = 0;
            options.private_key = our_key();
            FindStreamKey keys = find_among({filled(0x11), filled(0x22)});
            std::string none;
            done.emplace(co_await handshake_as_receiver(
                std::move(stream), std::move(none), std::move(keys), k_rc4 | k_plaintext, options));
            if (!*done)
                co_return;
            // Everything that follows, decrypted, until the peer's end.
            char buffer[1024];
            for (;;) {
                boost::system::error_code ec;
                const std::size_t n = co_await (*done)->stream->async_read_some(
                    asio::buffer(buffer), asio::redirect_error(asio::use_awaitable, ec));
                after.append(buffer, n);
                if (ec)
                    break;
            }
        },
        asio::detached);
    io.poll();
    std::string sent;
    while (!input.empty()) {
        const std::size_t n = std::min(piece, input.size());
        remote->give(input.substr(0, n));
        input.remove_prefix(n);
        io.poll();
        sent += remote->take();
    }
    remote->close();
    io.poll();
    sent += remote->take();
    // Ended, one way or the other, once the peer is gone.
    if (!done)
        __builtin_trap();
    if (*done && (*done)->method != k_rc4 && (*done)->method != k_plaintext)
        __builtin_trap();
    // Yb, and the answer (VC, crypto_select, len(PadD)) at most: no padding here.
    if (sent.size() > 96 + 14)
        __builtin_trap();
    if (after.size() > size)
        __builtin_trap();
    return 0;
}
