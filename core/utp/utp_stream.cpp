#include "utp/utp_stream.hpp"

#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>

#include "utp/utp_flow.hpp"

namespace shoal::utp {

namespace asio = boost::asio;

UtpStream::UtpStream(std::shared_ptr<UtpSocket::Flow> flow, executor_type executor)
    : flow_(std::move(flow)), executor_(std::move(executor)) {}

UtpStream::~UtpStream() {
    close();
}

const asio::ip::tcp::endpoint& UtpStream::remote_endpoint() const {
    return flow_->remote;
}

void UtpStream::close() {
    UtpSocket::Flow& flow = *flow_;
    if (!flow.stream_open)
        return;
    flow.stream_open = false;
    for (Handler* waiting : {&flow.read_handler, &flow.write_handler}) {
        if (*waiting)
            post_completion(executor_, *waiting, asio::error::operation_aborted, 0);
    }
    flow.write_buffers.clear();
    if (UtpSocket* socket = flow.socket) {
        const auto now = socket->now_us();
        if (!flow.conn.confirmed()) {
            // Answered but never heard from again (perhaps a forged SYN): a RESET, and the
            // slot is free at once instead of lingering through FIN retries.
            flow.conn.abort(now);
        } else {
            // What was written still goes, then a FIN; the socket keeps the connection that long.
            flow.conn.close(now);
            flow.linger_deadline_us =
                now + static_cast<std::uint64_t>(socket->limits_.linger.count()) * 1000;
        }
        socket->service(flow);
    }
}

void UtpStream::read_some(asio::mutable_buffer buffer, Handler handler) {
    UtpSocket::Flow& flow = *flow_;
    if (!flow.stream_open || !flow.socket || flow.read_handler) {
        post_completion(executor_, handler, asio::error::operation_aborted, 0);
        return;
    }
    if (buffer.size() == 0) {
        post_completion(executor_, handler, {}, 0);
        return;
    }
    flow.read_buffer = buffer;
    flow.read_handler.swap(handler);  // (Boost 1.81's move assignment of a handler recurses)
    flow.socket->service(flow);
}

void UtpStream::write_some(std::vector<asio::const_buffer> buffers, Handler handler) {
    UtpSocket::Flow& flow = *flow_;
    if (!flow.stream_open || !flow.socket || flow.write_handler) {
        post_completion(executor_, handler, asio::error::operation_aborted, 0);
        return;
    }
    flow.write_buffers = std::move(buffers);
    flow.write_handler.swap(handler);
    flow.socket->service(flow);
}

}  // namespace shoal::utp
