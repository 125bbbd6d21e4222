#include "utp/send_window.hpp"

#include <algorithm>
#include <bit>

namespace shoal::utp {

SendWindow::SendWindow(std::size_t queue_capacity, std::size_t max_packets)
    : queue_(queue_capacity),
      // At most half the sequence space, so that a slot's number is never ambiguous.
      slot_count_(std::bit_ceil(std::clamp<std::size_t>(max_packets, 2, 0x4000))),
      mask_(static_cast<std::uint16_t>(slot_count_ - 1)) {}

void SendWindow::reset(std::uint16_t next_seq) {
    next_seq_ = next_seq;
    acked_seq_ = seq_add(next_seq, -1);
    for (auto& p : slots_)
        p.used = false;
    outstanding_ = 0;
    in_flight_ = 0;
    resend_count_ = 0;
}

std::size_t SendWindow::queue(std::span<const std::uint8_t> data) {
    // The ring's storage is made on the first write, so a connection that only receives
    // holds no buffer.
    return queue_.push(data);
}

SentPacket& SendWindow::push(PacketType type, std::size_t max_payload) {
    // Made on the first packet: a connection that never gets that far (a flood of SYNs we
    // answered) holds no slots.
    if (slots_.empty())
        slots_.resize(slot_count_);
    SentPacket& p = slot(next_seq_);
    p.type = type;
    p.seq_nr = next_seq_;
    const std::size_t n = type == PacketType::data ? std::min(max_payload, queue_.size()) : 0;
    p.payload.resize(n);  // within the capacity kept from the slot's earlier packets
    queue_.pop(p.payload);
    p.sent_us = 0;
    p.transmissions = 0;
    p.used = true;
    p.need_resend = false;
    p.sacked = false;
    p.fast_resent = false;
    next_seq_ = seq_add(next_seq_, 1);
    ++outstanding_;
    return p;
}

SentPacket* SendWindow::find(std::uint16_t seq_nr) {
    if (slots_.empty() || !seq_in_range(acked_seq_, seq_nr, seq_add(next_seq_, -1)))
        return nullptr;
    SentPacket& p = slot(seq_nr);
    return p.used && p.seq_nr == seq_nr ? &p : nullptr;
}

void SendWindow::on_transmit(SentPacket& packet, std::uint64_t now_us) {
    if (packet.sacked)
        return;
    if (packet.transmissions == 0 || packet.need_resend)
        in_flight_ += packet.payload.size();
    if (packet.need_resend) {
        packet.need_resend = false;
        --resend_count_;
    }
    ++packet.transmissions;
    packet.sent_us = now_us;
}

void SendWindow::mark_lost(SentPacket& packet) {
    if (packet.need_resend || packet.sacked || packet.transmissions == 0)
        return;
    packet.need_resend = true;
    ++resend_count_;
    in_flight_ -= packet.payload.size();
}

std::size_t SendWindow::mark_sacked(SentPacket& packet) {
    if (packet.sacked)
        return 0;
    if (packet.need_resend) {
        packet.need_resend = false;
        --resend_count_;
    } else if (packet.transmissions > 0) {
        in_flight_ -= packet.payload.size();
    }
    packet.sacked = true;
    return packet.payload.size();
}

}  // namespace shoal::utp
