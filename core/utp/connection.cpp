// UtpConnection: setting up, taking packets in, timers, and the calls of the reader and writer.
// Acks and loss live in connection_acks.cpp, sending in connection_send.cpp.

#include "utp/connection.hpp"

#include <algorithm>

#include "utp/sequence.hpp"

namespace shoal::utp {

namespace {

// The least time between two SYNs sent early because the peer's data showed its STATE was lost.
constexpr std::uint64_t k_syn_nudge_us = 250'000;

// Packet payloads from one byte to what leaves room in a datagram for the largest selective ack.
std::size_t usable_packet_size(const UtpConfig& config) {
    const std::size_t most = k_max_datagram - encoded_size(nullptr, 0) - 2 - k_max_sack_bytes;
    return std::clamp<std::size_t>(config.packet_size, 1, most);
}

LedbatConfig ledbat_config(const UtpConfig& config) {
    LedbatConfig c = config.ledbat;
    c.mss = usable_packet_size(config);
    c.initial_window = std::max(c.initial_window, c.mss);
    return c;
}

}  // namespace

std::string_view state_name(UtpState state) {
    switch (state) {
        case UtpState::idle:
            return "idle";
        case UtpState::syn_sent:
            return "syn_sent";
        case UtpState::syn_received:
            return "syn_received";
        case UtpState::connected:
            return "connected";
        case UtpState::fin_sent:
            return "fin_sent";
        case UtpState::closed:
            return "closed";
        case UtpState::reset:
            return "reset";
    }
    return "unknown";
}

UtpConnection::UtpConnection(const UtpConfig& config, SendFunction send)
    : config_(config),
      send_fn_(std::move(send)),
      send_(config.send_buffer, config.max_packets_in_flight),
      recv_(config.receive_buffer, config.max_reorder_packets),
      ledbat_(ledbat_config(config)),
      rtt_(config.rtt),
      mtu_floor_(usable_packet_size(config) + k_packet_overhead),
      mtu_ceiling_(std::clamp(config.max_datagram, mtu_floor_, k_max_datagram)),
      mtu_initial_floor_(mtu_floor_),
      datagram_(k_max_datagram) {}

void UtpConnection::connect(std::uint16_t recv_id, std::uint16_t initial_seq,
                            std::uint64_t now_us) {
    if (state_ != UtpState::idle)
        return;
    initiator_ = true;
    initial_seq_ = initial_seq;
    recv_id_ = recv_id;
    send_id_ = static_cast<std::uint16_t>(recv_id + 1);
    send_.reset(initial_seq);
    state_ = UtpState::syn_sent;
    // Until the peer advertises its window, one packet's worth.
    peer_window_ = static_cast<std::uint32_t>(packet_size());
    SentPacket& syn = send_.push(PacketType::syn, 0);
    transmit(syn, now_us);
}

bool UtpConnection::accept(const Packet& syn, std::uint16_t initial_seq, std::uint64_t now_us) {
    if (state_ != UtpState::idle || syn.header.type != PacketType::syn)
        return false;
    recv_id_ = static_cast<std::uint16_t>(syn.header.connection_id + 1);
    send_id_ = syn.header.connection_id;
    syn_seq_ = syn.header.seq_nr;
    initial_seq_ = initial_seq;
    recv_.reset(syn.header.seq_nr);
    send_.reset(initial_seq);
    peer_window_ = syn.header.wnd_size;
    reply_micro_ = static_cast<std::uint32_t>(now_us) - syn.header.timestamp_us;
    state_ = UtpState::syn_received;
    ++stats_.packets_received;
    // Until the initiator speaks again, our answer is resent on each timeout.
    rto_deadline_ = now_us + rtt_.rto();
    // The answer is a STATE numbered with our first sequence number, which it does not use up.
    send_state(now_us);
    return true;
}

void UtpConnection::on_datagram(std::span<const std::uint8_t> datagram, std::uint64_t now_us) {
    const ParsedPacket parsed = parse_packet(datagram);
    if (!parsed) {
        ++stats_.malformed;
        return;
    }
    on_packet(*parsed, now_us);
}

bool UtpConnection::accept_id(const Packet& packet) {
    const std::uint16_t id = packet.header.connection_id;
    switch (packet.header.type) {
        case PacketType::syn:
            return id == send_id_ && !initiator_;  // the initiator's SYN, resent
        case PacketType::reset:
            // Either id: implementations differ in which one a RESET carries.
            return id == recv_id_ || id == send_id_;
        default:
            return id == recv_id_;
    }
}

void UtpConnection::on_packet(const Packet& packet, std::uint64_t now_us) {
    if (state_ == UtpState::idle || state_ == UtpState::reset)
        return;
    if (!accept_id(packet)) {
        ++(packet.header.type == PacketType::syn ? stats_.unexpected_syn
                                                 : stats_.bogus_connection_id);
        return;
    }
    ++stats_.packets_received;
    if (packet.header.type == PacketType::syn) {
        handle_syn(packet, now_us);
        return;
    }
    if (packet.header.type == PacketType::reset) {
        finish(UtpState::reset, CloseReason::reset_by_peer);
        return;
    }
    if (state_ == UtpState::closed) {
        // Finished: their FIN or data again means our last ack was lost, so ack again.
        // Given up: they are told the connection is gone.
        if (reason_ == CloseReason::finished) {
            if (packet.header.type != PacketType::state && recv_.eof())
                send_state(now_us);
        } else {
            send_reset(now_us);
        }
        return;
    }
    if (!ack_is_valid(packet))
        return;

    if (state_ == UtpState::syn_sent) {
        // Only their STATE answers our SYN: it alone carries the number their data starts
        // at (it does not use it up). Data that overtook it is sent again.
        if (packet.header.type != PacketType::state) {
            // It proves they took our SYN and their STATE was lost: the SYN goes again now
            // rather than at the next timeout, and they answer it with the STATE again.
            SentPacket* syn = send_.find(initial_seq_);
            if (syn != nullptr && packet.header.ack_nr == initial_seq_ &&
                (last_nudge_us_ == 0 || now_us - last_nudge_us_ >= k_syn_nudge_us)) {
                last_nudge_us_ = std::max<std::uint64_t>(now_us, 1);
                transmit(*syn, now_us);
            }
            return;
        }
        peer_initial_seq_ = packet.header.seq_nr;
        recv_.reset(seq_add(packet.header.seq_nr, -1));
        state_ = UtpState::connected;
        // Our ack tells them we are connected even if we have nothing to send.
        ack_pending_ = true;
    } else if (initiator_ && packet.header.type == PacketType::state &&
               packet.header.seq_nr == peer_initial_seq_ && packet.header.ack_nr == initial_seq_ &&
               send_.next_seq() == seq_add(initial_seq_, 1)) {
        // Their answer again, and we have sent no data that would tell them we are here:
        // our ack was lost, so it goes again. (Once we send data, that does it.)
        ack_pending_ = true;
    } else if (state_ == UtpState::syn_received) {
        confirmed_ = true;
        state_ = UtpState::connected;
        timeouts_ = 0;
        if (send_.outstanding() == 0)
            rto_deadline_ = 0;
    }
    reply_micro_ = static_cast<std::uint32_t>(now_us) - packet.header.timestamp_us;
    if (packet.header.timestamp_difference_us != 0)
        ledbat_.on_delay_sample(packet.header.timestamp_difference_us, now_us);
    peer_window_ = packet.header.wnd_size;

    handle_ack(packet, now_us);
    if (done())
        return;
    handle_payload(packet);
    const std::uint64_t sent_before = stats_.packets_sent;
    pump(now_us);
    // Data packets carry the ack; a STATE goes only when nothing else did.
    if (ack_pending_ && stats_.packets_sent == sent_before && !hold_acks_)
        send_state(now_us);
    check_finished();
}

void UtpConnection::flush_ack(std::uint64_t now_us) {
    if (ack_pending_ && state_ != UtpState::idle && state_ != UtpState::reset &&
        state_ != UtpState::syn_sent)
        send_state(now_us);
}

void UtpConnection::handle_syn(const Packet& packet, std::uint64_t now_us) {
    if (packet.header.seq_nr != syn_seq_) {
        ++stats_.unexpected_syn;
        return;
    }
    // Our STATE answering it was lost; say it again.
    send_state(now_us);
}

void UtpConnection::handle_payload(const Packet& packet) {
    const auto& h = packet.header;
    if (h.type == PacketType::fin) {
        if (recv_.on_fin(h.seq_nr))
            ack_pending_ = true;
        else
            ++stats_.out_of_window;
        return;
    }
    if (h.type != PacketType::data || packet.payload.empty())
        return;
    // Every data packet is acked, even a duplicate: our earlier ack may have been lost.
    ack_pending_ = true;
    switch (recv_.on_data(h.seq_nr, packet.payload)) {
        case ReceiveBuffer::Verdict::delivered:
        case ReceiveBuffer::Verdict::buffered:
            break;
        case ReceiveBuffer::Verdict::duplicate:
            ++stats_.duplicates;
            break;
        case ReceiveBuffer::Verdict::out_of_window:
            ++stats_.out_of_window;
            break;
        case ReceiveBuffer::Verdict::no_room:
            ++stats_.no_room;
            break;
    }
}

void UtpConnection::check_finished() {
    const bool fin_acked = fin_sent_ && send_.find(fin_seq_) == nullptr;
    if (fin_acked && recv_.eof())
        finish(UtpState::closed, CloseReason::finished);
}

void UtpConnection::finish(UtpState state, CloseReason reason) {
    state_ = state;
    if (reason_ == CloseReason::none)
        reason_ = reason;
    rto_deadline_ = 0;
    probe_deadline_ = 0;
}

void UtpConnection::on_tick(std::uint64_t now_us) {
    if (done() || state_ == UtpState::idle)
        return;
    if (rto_deadline_ != 0 && now_us >= rto_deadline_) {
        on_timeout(now_us);
        if (done())
            return;
    }
    if (probe_deadline_ != 0 && now_us >= probe_deadline_) {
        // The peer's window has been shut a whole timeout with nothing in flight: one packet
        // goes regardless, and its ack brings the window as it is now.
        probe_deadline_ = 0;
        if (send_.outstanding() == 0) {
            const auto saved = peer_window_;
            peer_window_ = static_cast<std::uint32_t>(packet_size());
            pump(now_us);
            peer_window_ = saved;
        }
    }
    if ((state_ == UtpState::connected || state_ == UtpState::fin_sent) &&
        now_us - last_send_us_ >= config_.keepalive_us)
        send_state(now_us);
}

std::optional<std::uint64_t> UtpConnection::next_deadline() const {
    if (done() || state_ == UtpState::idle)
        return std::nullopt;
    std::uint64_t next = last_send_us_ + config_.keepalive_us;
    if (rto_deadline_ != 0)
        next = std::min(next, rto_deadline_);
    if (probe_deadline_ != 0)
        next = std::min(next, probe_deadline_);
    return next;
}

std::size_t UtpConnection::writable() const {
    const bool open = state_ == UtpState::syn_sent || state_ == UtpState::syn_received ||
                      state_ == UtpState::connected;
    return open && !close_requested_ ? send_.queue_free() : 0;
}

std::size_t UtpConnection::write(std::span<const std::uint8_t> data, std::uint64_t now_us) {
    if (writable() == 0)
        return 0;
    const std::size_t taken = send_.queue(data);
    pump(now_us);
    return taken;
}

std::size_t UtpConnection::read(std::span<std::uint8_t> out, std::uint64_t now_us) {
    const std::size_t n = recv_.read(out);
    stats_.bytes_delivered += n;
    // A window too small for one packet has opened: say so, or a sender with nothing in
    // flight would wait for its zero-window probe.
    if (n > 0 && !done() && state_ != UtpState::idle && last_advertised_ < packet_size() &&
        advertised_window() >= packet_size())
        send_state(now_us);
    return n;
}

void UtpConnection::close(std::uint64_t now_us) {
    switch (state_) {
        case UtpState::idle:
        case UtpState::syn_sent:
            finish(UtpState::closed, CloseReason::aborted);
            return;
        case UtpState::syn_received:
        case UtpState::connected:
            close_requested_ = true;
            pump(now_us);
            return;
        default:
            return;
    }
}

void UtpConnection::abort(std::uint64_t now_us) {
    if (done())
        return;
    if (state_ != UtpState::idle)
        send_reset(now_us);
    finish(UtpState::reset, CloseReason::aborted);
}

}  // namespace shoal::utp
