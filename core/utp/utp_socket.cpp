#include "utp/utp_socket.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "utp/utp_flow.hpp"
#include "utp/utp_stream.hpp"

namespace shoal::utp {

namespace asio = boost::asio;
using asio::ip::udp;

namespace {

// Whether a datagram claims to be uTP: version 1 in the low nibble of its first byte, a known
// type in the high one. KRPC starts with 'd' (0x64) and a UDP tracker's reply with a zero
// byte, so neither is taken for one.
bool looks_like_utp(std::span<const std::uint8_t> datagram) {
    return datagram.size() >= k_header_size && (datagram[0] & 0x0f) == k_version &&
           (datagram[0] >> 4) <= static_cast<std::uint8_t>(PacketType::syn);
}

boost::system::error_code error_of(const UtpConnection& conn) {
    switch (conn.close_reason()) {
        case CloseReason::timed_out:
            return asio::error::timed_out;
        case CloseReason::reset_by_peer:
            return asio::error::connection_reset;
        case CloseReason::finished:
            return asio::error::eof;
        default:
            return asio::error::operation_aborted;
    }
}

}  // namespace

UtpSocket::UtpSocket(net::UdpPort& port, UtpConfig config, UtpSocketLimits limits)
    : port_(port), config_(config), limits_(limits), timer_(port.get_executor()) {
    port_.add_receiver(
        [this, alive = alive_](std::span<const std::uint8_t> datagram, const udp::endpoint& from) {
            return *alive && on_datagram(datagram, from);
        });
    port_.add_batch_end([this, alive = alive_] {
        if (*alive)
            on_batch_end();
    });
}

UtpSocket::~UtpSocket() {
    *alive_ = false;
    const auto now = now_us();
    for (auto& [key, flow] : flows_) {
        flow->conn.abort(now);
        flow->socket = nullptr;
        const auto ex = port_.get_executor();
        if (flow->read_handler)
            post_completion(ex, flow->read_handler, asio::error::operation_aborted, 0);
        if (flow->write_handler)
            post_completion(ex, flow->write_handler, asio::error::operation_aborted, 0);
        if (flow->connecting)
            flow->connecting->cancel();
    }
    for (auto& flow : touched_)
        flow->socket = nullptr;
}

std::uint64_t UtpSocket::now_us() const {
    // Never 0: the connection takes 0 for "not set" in some of its times.
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                          std::chrono::steady_clock::now() - epoch_)
                                          .count()) +
           1;
}

bool UtpSocket::on_datagram(std::span<const std::uint8_t> datagram, const udp::endpoint& from) {
    if (!looks_like_utp(datagram))
        return false;
    const ParsedPacket parsed = parse_packet(datagram);
    if (!parsed) {
        ++stats_.malformed;
        return true;
    }
    const Packet& packet = *parsed;
    const std::uint16_t id = packet.header.connection_id;
    if (packet.header.type == PacketType::syn) {
        on_syn(packet, from);
        return true;
    }
    auto it = flows_.find({from, id});
    if (it == flows_.end() && packet.header.type == PacketType::reset) {
        // Implementations differ in which of the two ids a RESET carries.
        it = flows_.find({from, static_cast<std::uint16_t>(id + 1)});
        if (it == flows_.end())
            it = flows_.find({from, static_cast<std::uint16_t>(id - 1)});
    }
    if (it == flows_.end()) {
        ++stats_.unknown_id;
        if (packet.header.type != PacketType::reset)
            send_reset_for(packet, from);
        return true;
    }
    Flow& flow = *it->second;
    flow.conn.on_packet(packet, now_us());
    if (!flow.touched) {
        flow.touched = true;
        touched_.push_back(it->second);
    }
    return true;
}

void UtpSocket::on_syn(const Packet& syn, const udp::endpoint& from) {
    const Key key{from, static_cast<std::uint16_t>(syn.header.connection_id + 1)};
    if (auto it = flows_.find(key); it != flows_.end()) {
        it->second->conn.on_packet(syn, now_us());  // the same SYN again: our answer was lost
        return;
    }
    const auto per_address = half_open_by_address_.find(from.address());
    const bool address_full = per_address != half_open_by_address_.end() &&
                              per_address->second >= limits_.max_half_open_per_address;
    if (!on_accept_) {
        // Nobody takes uTP here: say so, and the peer turns to TCP at once.
        ++stats_.syn_dropped;
        send_reset_for(syn, from);
        return;
    }
    if (flows_.size() >= limits_.max_connections || half_open_ >= limits_.max_half_open ||
        address_full) {
        ++stats_.syn_dropped;
        return;
    }
    auto flow = make_flow(from);
    const auto now = now_us();
    if (!flow->conn.accept(syn, static_cast<std::uint16_t>(rng_()), now)) {
        ++stats_.syn_dropped;
        return;
    }
    flows_.emplace(key, flow);
    flow->half_open = true;
    ++half_open_;
    ++half_open_by_address_[from.address()];
    flow->stream_open = true;
    ++stats_.accepted;
    if (auto deadline = flow->conn.next_deadline())
        arm(*deadline);
    on_accept_(std::make_unique<UtpStream>(flow, port_.get_executor()));
}

void UtpSocket::send_reset_for(const Packet& packet, const udp::endpoint& from) {
    const auto now = now_us();
    if (now - reset_window_start_us_ >= 1'000'000) {
        reset_window_start_us_ = now;
        resets_in_window_ = 0;
    }
    if (resets_in_window_ >= limits_.resets_per_second)
        return;
    ++resets_in_window_;
    PacketHeader h;
    h.type = PacketType::reset;
    h.connection_id = packet.header.connection_id;
    h.timestamp_us = static_cast<std::uint32_t>(now);
    h.seq_nr = static_cast<std::uint16_t>(rng_());
    h.ack_nr = packet.header.seq_nr;
    std::array<std::uint8_t, k_header_size> bytes{};
    if (encode_packet(h, nullptr, {}, bytes) == bytes.size()) {
        port_.send_to(bytes, from);
        ++stats_.resets_sent;
    }
}

std::shared_ptr<UtpSocket::Flow> UtpSocket::make_flow(const udp::endpoint& peer) {
    UtpConfig config = config_;
    // Over IPv6 no router fragments, so a probe's resend would pass only if the system has
    // learnt the path's MTU (ICMPv6 may be filtered): IPv6 keeps the size that fits any path.
    if (peer.address().is_v6())
        config.max_datagram = 0;
    auto flow = std::make_shared<Flow>(*this, peer, config);
    flow->conn.hold_acks(true);
    return flow;
}

void UtpSocket::on_batch_end() {
    const auto now = now_us();
    // service() may erase flows; the list keeps each alive until it is done with.
    auto touched = std::move(touched_);
    touched_.clear();
    for (auto& flow : touched) {
        flow->touched = false;
        if (!flow->socket)
            continue;
        // Writes first: data going out carries the ack, and no lone STATE is needed.
        service(*flow);
        flow->conn.flush_ack(now);
    }
    touched.clear();
    touched_ = std::move(touched);
}

void UtpSocket::leave_half_open(Flow& flow) {
    if (!flow.half_open)
        return;
    flow.half_open = false;
    --half_open_;
    const auto it = half_open_by_address_.find(flow.peer.address());
    if (it != half_open_by_address_.end() && --it->second == 0)
        half_open_by_address_.erase(it);
}

void UtpSocket::service(Flow& flow) {
    UtpConnection& conn = flow.conn;
    const auto ex = port_.get_executor();
    const auto now = now_us();
    if (conn.confirmed())
        leave_half_open(flow);
    if (flow.read_handler) {
        const auto buffer = flow.read_buffer;
        if (conn.readable() > 0) {
            const std::size_t n =
                conn.read({static_cast<std::uint8_t*>(buffer.data()), buffer.size()}, now);
            post_completion(ex, flow.read_handler, boost::system::error_code{}, n);
        } else if (conn.eof()) {
            post_completion(ex, flow.read_handler, boost::system::error_code(asio::error::eof),
                            0);
        } else if (conn.done()) {
            post_completion(ex, flow.read_handler, error_of(conn), 0);
        }
    }
    if (flow.write_handler) {
        if (conn.done() || conn.state() == UtpState::fin_sent) {
            const auto ec =
                conn.done() ? error_of(conn) : boost::system::error_code(asio::error::broken_pipe);
            post_completion(ex, flow.write_handler,
                            ec == asio::error::eof ? asio::error::broken_pipe : ec, 0);
        } else if (conn.writable() > 0) {
            std::size_t taken = 0;
            for (const auto& buffer : flow.write_buffers) {
                const std::size_t n = conn.write(
                    {static_cast<const std::uint8_t*>(buffer.data()), buffer.size()}, now);
                taken += n;
                if (n < buffer.size())
                    break;
            }
            flow.write_buffers.clear();
            post_completion(ex, flow.write_handler, boost::system::error_code{}, taken);
        }
    }
    if (flow.connecting && (conn.state() != UtpState::syn_sent))
        flow.connecting->cancel();
    if (conn.done()) {
        leave_half_open(flow);
        // The key may belong to a newer connection by now.
        if (auto it = flows_.find({flow.peer, conn.recv_id()});
            it != flows_.end() && it->second.get() == &flow)
            flows_.erase(it);
        return;
    }
    if (auto deadline = conn.next_deadline())
        arm(*deadline);
    if (flow.linger_deadline_us != 0)
        arm(flow.linger_deadline_us);
}

void UtpSocket::arm(std::uint64_t deadline_us) {
    if (timer_deadline_us_ != 0 && timer_deadline_us_ <= deadline_us)
        return;
    timer_deadline_us_ = deadline_us;
    timer_.expires_at(epoch_ + std::chrono::microseconds(deadline_us));
    timer_.async_wait([this, alive = alive_](boost::system::error_code ec) {
        if (!*alive || ec == asio::error::operation_aborted)
            return;
        on_timer();
    });
}

void UtpSocket::on_timer() {
    timer_deadline_us_ = 0;
    const auto now = now_us();
    std::vector<std::shared_ptr<Flow>> all;
    all.reserve(flows_.size());
    for (auto& [key, flow] : flows_)
        all.push_back(flow);
    for (auto& flow : all) {
        UtpConnection& conn = flow->conn;
        if (flow->linger_deadline_us != 0 && now >= flow->linger_deadline_us)
            conn.abort(now);
        if (auto deadline = conn.next_deadline(); deadline && *deadline <= now)
            conn.on_tick(now);
        service(*flow);
    }
}

asio::awaitable<Result<std::unique_ptr<net::PeerStream>>> UtpSocket::connect(
    udp::endpoint peer, std::chrono::milliseconds timeout) {
    if (flows_.size() >= limits_.max_connections)
        co_return make_error(ErrorCode::network, "too many uTP connections");
    std::uint16_t id = static_cast<std::uint16_t>(rng_());
    for (int tries = 0; flows_.contains({peer, id}) && tries < 64; ++tries)
        id = static_cast<std::uint16_t>(rng_());
    if (flows_.contains({peer, id}))
        co_return make_error(ErrorCode::network, "no free uTP connection id");
    auto flow = make_flow(peer);
    flows_.emplace(Key{peer, id}, flow);
    flow->stream_open = true;
    ++stats_.dialed;
    auto alive = alive_;
    flow->connecting = std::make_unique<asio::steady_timer>(port_.get_executor(), timeout);
    flow->conn.connect(id, static_cast<std::uint16_t>(rng_()), now_us());
    if (auto deadline = flow->conn.next_deadline())
        arm(*deadline);
    boost::system::error_code ec;
    co_await flow->connecting->async_wait(asio::redirect_error(asio::use_awaitable, ec));
    flow->connecting.reset();
    const UtpState state = flow->conn.state();
    if (state != UtpState::connected) {
        flow->stream_open = false;
        if (state == UtpState::syn_sent) {
            // The dial's deadline (or the socket went): given up.
            if (*alive && flow->socket) {
                flow->conn.abort(now_us());
                service(*flow);
            }
            co_return make_error(ErrorCode::timeout, "uTP connection timed out");
        }
        if (flow->conn.close_reason() == CloseReason::reset_by_peer)
            co_return make_error(ErrorCode::network, "uTP connection refused");
        co_return make_error(ErrorCode::timeout, "uTP connection timed out");
    }
    auto stream = std::make_unique<UtpStream>(flow, port_.get_executor());
    co_return std::unique_ptr<net::PeerStream>(std::move(stream));
}

}  // namespace shoal::utp
