// UtpConnection: packing queued bytes into packets, the windows that hold them back, and
// writing each datagram into the one reused buffer.

#include <algorithm>
#include <limits>

#include "utp/connection.hpp"
#include "utp/sequence.hpp"

namespace shoal::utp {

bool UtpConnection::window_allows(std::size_t bytes) const {
    const std::size_t in_flight = send_.bytes_in_flight();
    const std::size_t limit = std::min<std::size_t>(ledbat_.window(), peer_window_);
    if (in_flight + bytes <= limit)
        return true;
    // A congestion window below one packet still lets one packet out at a time (BEP 29).
    return in_flight == 0 && bytes <= peer_window_;
}

void UtpConnection::pump(std::uint64_t now_us) {
    if (done() || state_ == UtpState::idle)
        return;
    // Packets counted lost go first, oldest first, as far as the window allows. With nothing
    // in flight one goes regardless of the peer's window: the receiver keeps room for the
    // packet that fills its gap, and its ack brings the window as it is now.
    if (send_.to_resend() > 0) {
        bool blocked = false;
        send_.for_each_outstanding([&](SentPacket& p) {
            if (blocked || !p.need_resend)
                return;
            if (send_.bytes_in_flight() > 0 && !window_allows(p.payload.size())) {
                blocked = true;
                return;
            }
            transmit(p, now_us);
        });
        if (blocked)
            return;
    }
    if (state_ != UtpState::syn_received && state_ != UtpState::connected)
        return;

    while (send_.queued() > 0 && send_.can_push()) {
        // A probe is a full packet of the size halfway up the search: it carries data like
        // any other, so a probe that gets through costs nothing.
        const std::size_t probe_payload = (mtu_floor_ + mtu_ceiling_ + 1) / 2 - k_packet_overhead;
        const bool probe = probe_due() && send_.queued() >= probe_payload;
        const std::size_t payload = probe ? probe_payload : packet_size();
        const std::size_t size = std::min(send_.queued(), payload);
        // A part packet waits for what is in flight to be acked, so that small writes gather
        // into full packets (Nagle's rule); after close() nothing more will come to fill it.
        if (size < packet_size() && send_.outstanding() > 0 && !close_requested_)
            break;
        if (!window_allows(size)) {
            if (send_.bytes_in_flight() + size > peer_window_) {
                // The peer's window is shut. With nothing in flight no ack will reopen it,
                // so a probe goes after a timeout.
                if (send_.outstanding() == 0 && probe_deadline_ == 0)
                    probe_deadline_ = now_us + rtt_.rto();
            } else {
                window_limited_ = true;
            }
            return;
        }
        SentPacket& packet = send_.push(PacketType::data, payload);
        if (probe) {
            mtu_probe_seq_ = packet.seq_nr;
            mtu_probe_size_ = packet.payload.size() + k_packet_overhead;
            ++stats_.mtu_probes;
        }
        transmit(packet, now_us);
    }
    if (send_.queued() == 0) {
        window_limited_ = false;
        if (close_requested_ && !fin_sent_ && send_.can_push()) {
            SentPacket& fin = send_.push(PacketType::fin, 0);
            fin_sent_ = true;
            fin_seq_ = fin.seq_nr;
            state_ = UtpState::fin_sent;
            transmit(fin, now_us);
        }
    }
}

void UtpConnection::transmit(SentPacket& packet, std::uint64_t now_us) {
    if (packet.transmissions > 0)
        ++stats_.retransmits;
    // Only a probe's first transmission tests the path; its resends may be fragmented.
    sending_probe_ = packet.transmissions == 0 && mtu_probe_seq_ == packet.seq_nr;
    send_.on_transmit(packet, now_us);
    PacketHeader h;
    h.type = packet.type;
    // The SYN names the id replies come back to; everything after it the peer's.
    h.connection_id = packet.type == PacketType::syn ? recv_id_ : send_id_;
    h.seq_nr = packet.seq_nr;
    emit(h, packet.payload, now_us);
    sending_probe_ = false;
    if (rto_deadline_ == 0)
        rto_deadline_ = now_us + rtt_.rto();
}

void UtpConnection::send_state(std::uint64_t now_us) {
    PacketHeader h;
    h.type = PacketType::state;
    h.connection_id = send_id_;
    // A STATE carries the next number without using it up. Until the initiator has spoken
    // again it is the answer to its SYN, with the number our data starts at, even if data
    // has gone out since: that number is how the initiator knows where our stream begins.
    h.seq_nr = state_ == UtpState::syn_received ? initial_seq_ : send_.next_seq();
    emit(h, {}, now_us);
}

void UtpConnection::send_reset(std::uint64_t now_us) {
    PacketHeader h;
    h.type = PacketType::reset;
    h.connection_id = send_id_;
    h.seq_nr = send_.next_seq();
    emit(h, {}, now_us);
}

bool UtpConnection::probe_due() const {
    // Searched until the bounds are within a few bytes of each other; one probe at a time.
    return state_ == UtpState::connected && !mtu_probe_seq_ && mtu_ceiling_ > mtu_floor_ + 16;
}

void UtpConnection::probe_acked(const SentPacket& packet) {
    if (mtu_probe_seq_ != packet.seq_nr)
        return;
    mtu_probe_seq_.reset();
    // A probe acked only after a resend proves nothing: the resend may have been fragmented.
    if (packet.transmissions != 1)
        return;
    mtu_floor_ = std::max(mtu_floor_, mtu_probe_size_);
}

bool UtpConnection::probe_lost(const SentPacket& packet) {
    if (mtu_probe_seq_ != packet.seq_nr)
        return false;
    mtu_probe_seq_.reset();
    mtu_ceiling_ = std::max(mtu_floor_, mtu_probe_size_ - 1);
    ++stats_.mtu_probes_lost;
    return true;
}

std::uint32_t UtpConnection::advertised_window() const {
    return static_cast<std::uint32_t>(
        std::min<std::size_t>(recv_.window(), std::numeric_limits<std::uint32_t>::max()));
}

void UtpConnection::emit(const PacketHeader& header, std::span<const std::uint8_t> payload,
                         std::uint64_t now_us) {
    PacketHeader h = header;
    h.timestamp_us = static_cast<std::uint32_t>(now_us);
    h.timestamp_difference_us = reply_micro_;
    h.wnd_size = advertised_window();
    h.ack_nr = recv_.ack_nr();
    // The selective ack takes what room the datagram has up to the size known to get
    // through (a probe's: its own size), and at least one word.
    const std::size_t budget = sending_probe_ ? mtu_probe_size_ : mtu_floor_;
    const std::size_t used = k_header_size + 2 + payload.size();
    const std::size_t sack_room = budget > used + 4 ? budget - used : 4;
    SelectiveAck sack;
    const bool with_sack = h.type != PacketType::syn && recv_.fill_sack(sack, sack_room);
    const std::size_t n = encode_packet(h, with_sack ? &sack : nullptr, payload, datagram_);
    if (n == 0)
        return;  // cannot happen: the buffer holds the largest datagram, and the selective ack fits the rest
    // What the probe tests is the datagram as it leaves (its selective ack may be short).
    if (sending_probe_)
        mtu_probe_size_ = n;
    ++stats_.packets_sent;
    last_send_us_ = now_us;
    last_advertised_ = h.wnd_size;
    ack_pending_ = false;
    if (send_fn_)
        send_fn_(std::span<const std::uint8_t>(datagram_.data(), n));
}

}  // namespace shoal::utp
