#pragma once
// The byte stream beneath every peer connection: a TCP socket, a uTP connection, or an
// encrypting wrapper around either. An Asio AsyncStream (asio::async_read, async_write and the awaitable operators
// work on it), type-erased so that the connection code is written once for every transport.

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/system/error_code.hpp>
#include <cstddef>
#include <span>
#include <string>
#include <vector>

namespace shoal::net {

// What carries a peer stream's bytes.
enum class Transport { tcp, utp };
inline const char* transport_name(Transport t) { return t == Transport::utp ? "uTP" : "TCP"; }

class PeerStream {
public:
    using executor_type = boost::asio::any_io_executor;
    using Handler = boost::asio::any_completion_handler<void(boost::system::error_code, std::size_t)>;
    // Buffers handed to one gathered write at most (a write of more moves only these).
    static constexpr std::size_t k_max_gather = 64;

    virtual ~PeerStream() = default;

    virtual executor_type get_executor() = 0;
    // The address of the other end, as it was when the stream was made.
    virtual const boost::asio::ip::tcp::endpoint& remote_endpoint() const = 0;
    // Ends the stream both ways; pending operations complete with operation_aborted.
    virtual void close() = 0;
    // Binds the connection's own socket to `device` again, the device having been made anew
    // under its name (see SocketBinding). Nothing for a stream with no socket of its own.
    virtual void rebind_device(const std::string& /*device*/) {}
    virtual Transport transport() const { return Transport::tcp; }
    // Whether the bytes cross the wire encrypted (Message Stream Encryption with RC4).
    virtual bool encrypted() const { return false; }
    // Whether the connection began with an MSE handshake: true when encrypted(), and also
    // when that handshake chose plain text for what follows (libtorrent's `e` flag).
    virtual bool encrypted_handshake() const { return encrypted(); }

    // Reads at least one byte into the first non-empty buffer.
    template <class MutableBufferSequence, class Token>
    auto async_read_some(const MutableBufferSequence& buffers, Token&& token) {
        boost::asio::mutable_buffer first;
        for (auto it = boost::asio::buffer_sequence_begin(buffers); it != boost::asio::buffer_sequence_end(buffers); ++it) {
            first = *it;
            if (first.size() > 0) break;
        }
        return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
            [this](auto handler, boost::asio::mutable_buffer buffer) { read_some(buffer, Handler(std::move(handler))); },
            token, first);
    }

    // Writes at least one byte from the buffers, in order.
    template <class ConstBufferSequence, class Token>
    auto async_write_some(const ConstBufferSequence& buffers, Token&& token) {
        std::vector<boost::asio::const_buffer> gathered;
        for (auto it = boost::asio::buffer_sequence_begin(buffers);
             it != boost::asio::buffer_sequence_end(buffers) && gathered.size() < k_max_gather; ++it) {
            if (boost::asio::const_buffer(*it).size() > 0) gathered.emplace_back(*it);
        }
        return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
            [this](auto handler, std::vector<boost::asio::const_buffer> out) {
                write_some(std::move(out), Handler(std::move(handler)));
            },
            token, std::move(gathered));
    }

    // Like async_write_some, for bytes the caller hands over: the stream may overwrite them
    // (an encrypting stream encrypts them in place, where async_write_some has to copy), so
    // the caller must not read them again. For the connection's own send queue; Asio's
    // composed operations use async_write_some.
    template <class Token>
    auto async_write_some_in_place(std::span<const boost::asio::mutable_buffer> buffers, Token&& token) {
        std::vector<boost::asio::mutable_buffer> gathered;
        for (const auto& buffer : buffers) {
            if (gathered.size() == k_max_gather) break;
            if (buffer.size() > 0) gathered.push_back(buffer);
        }
        return boost::asio::async_initiate<Token, void(boost::system::error_code, std::size_t)>(
            [this](auto handler, std::vector<boost::asio::mutable_buffer> out) {
                write_some_in_place(std::move(out), Handler(std::move(handler)));
            },
            token, std::move(gathered));
    }

protected:
    // Each completes `handler` exactly once, never from within the call.
    virtual void read_some(boost::asio::mutable_buffer buffer, Handler handler) = 0;
    virtual void write_some(std::vector<boost::asio::const_buffer> buffers, Handler handler) = 0;
    // A stream that does not change the bytes it writes just writes them.
    virtual void write_some_in_place(std::vector<boost::asio::mutable_buffer> buffers, Handler handler) {
        write_some(std::vector<boost::asio::const_buffer>(buffers.begin(), buffers.end()), std::move(handler));
    }
};

}  // namespace shoal::net
