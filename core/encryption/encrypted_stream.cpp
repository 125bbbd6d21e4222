#include "encryption/encrypted_stream.hpp"

#include <algorithm>
#include <boost/asio/append.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <cstring>
#include <vector>

namespace shoal::mse {

namespace asio = boost::asio;
using boost::system::error_code;

namespace {

// Copies from the unread part of `prefix` into `buffer`; the count copied.
std::size_t take_prefix(const std::string& prefix, std::size_t& taken,
                        asio::mutable_buffer buffer) {
    const std::size_t n = std::min(buffer.size(), prefix.size() - taken);
    std::memcpy(buffer.data(), prefix.data() + taken, n);
    taken += n;
    return n;
}

}  // namespace

// What a pending read or write needs after the stream itself may be gone.
struct EncryptedStream::State {
    Rc4 in;
    Rc4 out;
    std::string prefix;
    std::size_t prefix_taken = 0;
    std::vector<std::uint8_t> scratch;  // bytes not handed over in place, while written
};

EncryptedStream::EncryptedStream(std::unique_ptr<net::PeerStream> inner, Rc4 in, Rc4 out,
                                 std::string prefix)
    : inner_(std::move(inner)),
      state_(std::make_shared<State>(State{std::move(in), std::move(out), std::move(prefix), 0, {}})) {}

EncryptedStream::~EncryptedStream() = default;

void EncryptedStream::read_some(asio::mutable_buffer buffer, Handler handler) {
    State& state = *state_;
    if (state.prefix_taken < state.prefix.size()) {
        const std::size_t n = take_prefix(state.prefix, state.prefix_taken, buffer);
        if (state.prefix_taken == state.prefix.size()) {  // all delivered: let it go
            std::string().swap(state.prefix);
            state.prefix_taken = 0;
        }
        asio::post(inner_->get_executor(), asio::append(std::move(handler), error_code{}, n));
        return;
    }
    auto slot = asio::get_associated_cancellation_slot(handler);
    inner_->async_read_some(
        buffer,
        asio::bind_cancellation_slot(slot, [state = state_, buffer, handler = std::move(handler)](
                                               error_code ec, std::size_t n) mutable {
            // Bytes that arrived are decrypted even alongside an error, to keep the keystream
            // in step with the wire.
            auto* bytes = static_cast<std::uint8_t*>(buffer.data());
            state->in.apply(bytes, bytes, n);
            asio::dispatch(asio::append(std::move(handler), ec, n));
        }));
}

void EncryptedStream::write_some(std::vector<asio::const_buffer> buffers, Handler handler) {
    // Copied into the scratch buffer (kept until the write is done), then encrypted there.
    State& state = *state_;
    state.scratch.clear();
    for (const auto& b : buffers) {
        const std::size_t n = std::min(b.size(), k_max_write - state.scratch.size());
        const auto* bytes = static_cast<const std::uint8_t*>(b.data());
        state.scratch.insert(state.scratch.end(), bytes, bytes + n);
        if (state.scratch.size() == k_max_write)
            break;
    }
    write_some_in_place({asio::buffer(state.scratch)}, std::move(handler));
}

void EncryptedStream::write_some_in_place(std::vector<asio::mutable_buffer> buffers,
                                          Handler handler) {
    // Up to k_max_write bytes are encrypted where they are, and all of them go out before the
    // handler runs, so the keystream never runs ahead of the wire.
    std::vector<asio::mutable_buffer> taken;
    taken.reserve(buffers.size());
    std::size_t total = 0;
    for (const auto& b : buffers) {
        const std::size_t n = std::min(b.size(), k_max_write - total);
        auto* bytes = static_cast<std::uint8_t*>(b.data());
        state_->out.apply(bytes, bytes, n);
        taken.emplace_back(b.data(), n);
        total += n;
        if (total == k_max_write)
            break;
    }
    if (total == 0) {
        asio::post(inner_->get_executor(),
                   asio::append(std::move(handler), error_code{}, std::size_t{0}));
        return;
    }
    auto slot = asio::get_associated_cancellation_slot(handler);
    asio::async_write(
        *inner_, std::move(taken),
        asio::bind_cancellation_slot(slot, [state = state_, handler = std::move(handler)](
                                               error_code ec, std::size_t n) mutable {
            asio::dispatch(asio::append(std::move(handler), ec, n));
        }));
}

PrefixedStream::PrefixedStream(std::unique_ptr<net::PeerStream> inner, std::string prefix)
    : inner_(std::move(inner)), prefix_(std::move(prefix)) {}

void PrefixedStream::close() {
    inner_->close();
}

void PrefixedStream::read_some(asio::mutable_buffer buffer, Handler handler) {
    if (taken_ < prefix_.size()) {
        const std::size_t n = take_prefix(prefix_, taken_, buffer);
        asio::post(inner_->get_executor(), asio::append(std::move(handler), error_code{}, n));
        return;
    }
    inner_->async_read_some(buffer, std::move(handler));
}

void PrefixedStream::write_some(std::vector<asio::const_buffer> buffers, Handler handler) {
    inner_->async_write_some(buffers, std::move(handler));
}

void PrefixedStream::write_some_in_place(std::vector<asio::mutable_buffer> buffers,
                                         Handler handler) {
    inner_->async_write_some_in_place(buffers, std::move(handler));
}

}  // namespace shoal::mse
