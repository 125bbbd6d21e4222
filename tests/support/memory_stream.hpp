#pragma once
// Two ends of an in-memory byte pipe behind the peer stream interface, for driving the
// connection code without sockets. Each direction holds at most `capacity` bytes: a writer
// waits for the reader beyond that, so a peer that stops reading can be played.

#include <boost/asio/append.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/post.hpp>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "net/peer_stream.hpp"

namespace shoal::test {

class MemoryStream final : public net::PeerStream {
    struct Direction {
        std::string bytes;
        bool writer_closed = false;  // the reader sees the end once the bytes are taken
        bool reader_closed = false;  // the writer gets broken_pipe
        std::optional<std::pair<boost::asio::mutable_buffer, Handler>> reader;
        std::optional<std::pair<std::vector<boost::asio::const_buffer>, Handler>> writer;
    };
    struct Pipe {
        boost::asio::any_io_executor executor;
        std::size_t capacity;
        Direction directions[2];
    };

public:
    using tcp = boost::asio::ip::tcp;

    // Ends at `a` and `b`: the first one's remote_endpoint() is `b`, the second's `a`.
    static std::pair<std::unique_ptr<MemoryStream>, std::unique_ptr<MemoryStream>> pair(
        boost::asio::any_io_executor executor, tcp::endpoint a, tcp::endpoint b, std::size_t capacity = 1 << 20) {
        auto pipe = std::make_shared<Pipe>(Pipe{std::move(executor), capacity, {}});
        return {std::unique_ptr<MemoryStream>(new MemoryStream(pipe, 0, b)),
                std::unique_ptr<MemoryStream>(new MemoryStream(pipe, 1, a))};
    }

    // Like a socket, a stream that goes away closes.
    ~MemoryStream() override { close(); }

    executor_type get_executor() override { return pipe_->executor; }
    const tcp::endpoint& remote_endpoint() const override { return remote_; }

    void close() override {
        Direction& in = incoming();
        Direction& out = outgoing();
        out.writer_closed = true;
        in.reader_closed = true;
        in.bytes.clear();
        abort(pipe_, in.reader);
        abort(pipe_, out.writer);
        serve(out);
        serve(in);
    }

    // Synchronous access for the test playing the other side.
    // Everything the other end has written so far.
    std::string take() {
        Direction& in = incoming();
        std::string out = std::move(in.bytes);
        in.bytes.clear();
        serve(in);
        return out;
    }
    // Bytes for the other end to read (beyond the capacity: tests use this to feed at once).
    void give(std::string_view bytes) {
        Direction& out = outgoing();
        out.bytes.append(bytes);
        serve(out);
    }

protected:
    void read_some(boost::asio::mutable_buffer buffer, Handler handler) override {
        Direction& in = incoming();
        if (in.reader_closed) return complete(std::move(handler), boost::asio::error::operation_aborted, 0);
        in.reader.emplace(buffer, std::move(handler));
        watch_cancel(in.reader->second, in, true);
        serve(in);
    }
    void write_some(std::vector<boost::asio::const_buffer> buffers, Handler handler) override {
        Direction& out = outgoing();
        if (out.writer_closed) return complete(std::move(handler), boost::asio::error::operation_aborted, 0);
        out.writer.emplace(std::move(buffers), std::move(handler));
        watch_cancel(out.writer->second, out, false);
        serve(out);
    }

private:
    MemoryStream(std::shared_ptr<Pipe> pipe, int side, tcp::endpoint remote)
        : pipe_(std::move(pipe)), side_(side), remote_(remote) {}

    Direction& incoming() { return pipe_->directions[1 - side_]; }
    Direction& outgoing() { return pipe_->directions[side_]; }

    // `from_slot`: called by the handler's own cancellation slot, which must not be cleared
    // while it runs.
    static void complete(const std::shared_ptr<Pipe>& pipe, Handler handler, boost::system::error_code ec,
                         std::size_t n, bool from_slot = false) {
        if (!from_slot) boost::asio::get_associated_cancellation_slot(handler).clear();
        boost::asio::post(pipe->executor, boost::asio::append(std::move(handler), ec, n));
    }
    void complete(Handler handler, boost::system::error_code ec, std::size_t n) {
        complete(pipe_, std::move(handler), ec, n);
    }
    template <class Pending>
    static void abort(const std::shared_ptr<Pipe>& pipe, std::optional<Pending>& pending, bool from_slot = false) {
        if (!pending) return;
        Handler handler = std::move(pending->second);
        pending.reset();
        complete(pipe, std::move(handler), boost::asio::error::operation_aborted, 0, from_slot);
    }

    // A cancelled read or write (a timeout won a race) completes with operation_aborted.
    void watch_cancel(Handler& handler, Direction& d, bool reading) {
        auto slot = boost::asio::get_associated_cancellation_slot(handler);
        if (!slot.is_connected()) return;
        slot.assign([pipe = pipe_, &d, reading](boost::asio::cancellation_type) {
            if (reading) {
                abort(pipe, d.reader, true);
            } else {
                abort(pipe, d.writer, true);
            }
        });
    }

    // Moves bytes from a waiting writer into the pipe and from the pipe to a waiting reader.
    void serve(Direction& d) {
        if (d.writer) {
            if (d.reader_closed) {
                auto h = std::move(d.writer->second);
                d.writer.reset();
                complete(std::move(h), boost::asio::error::broken_pipe, 0);
            } else if (d.bytes.size() < pipe_->capacity) {
                std::size_t room = pipe_->capacity - d.bytes.size();
                std::size_t moved = 0;
                for (const auto& b : d.writer->first) {
                    const std::size_t n = std::min(room, b.size());
                    d.bytes.append(static_cast<const char*>(b.data()), n);
                    moved += n;
                    room -= n;
                    if (room == 0) break;
                }
                auto h = std::move(d.writer->second);
                d.writer.reset();
                complete(std::move(h), {}, moved);
            }
        }
        if (d.reader) {
            if (!d.bytes.empty()) {
                const std::size_t n = std::min(d.reader->first.size(), d.bytes.size());
                std::copy_n(d.bytes.data(), n, static_cast<char*>(d.reader->first.data()));
                d.bytes.erase(0, n);
                auto h = std::move(d.reader->second);
                d.reader.reset();
                complete(std::move(h), {}, n);
                serve(d);  // room for a waiting writer
            } else if (d.writer_closed) {
                auto h = std::move(d.reader->second);
                d.reader.reset();
                complete(std::move(h), boost::asio::error::eof, 0);
            }
        }
    }

    std::shared_ptr<Pipe> pipe_;
    int side_;
    tcp::endpoint remote_;
};

}  // namespace shoal::test
