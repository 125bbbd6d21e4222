#pragma once
// The sending half of a uTP connection's memory: bytes written and not yet packed, and the
// packets sent and not yet acknowledged, kept by sequence number in a ring whose buffers are
// reused, with the count of bytes in flight that the congestion window is measured against.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "utp/byte_ring.hpp"
#include "utp/packet.hpp"
#include "utp/sequence.hpp"

namespace shoal::utp {

struct SentPacket {
    PacketType type = PacketType::data;
    std::uint16_t seq_nr = 0;
    std::vector<std::uint8_t> payload;  // keeps its capacity for the next packet in this slot
    std::uint64_t sent_us = 0;          // the last transmission
    std::uint32_t transmissions = 0;
    bool used = false;
    bool need_resend = false;  // counted lost: out of flight until sent again
    bool sacked = false;       // selectively acknowledged: out of flight for good
    bool fast_resent = false;  // already resent for duplicate or selective acks
};

class SendWindow {
  public:
    // `queue_capacity` bytes may wait to be packed; `max_packets` (rounded up to a power of
    // two) may be unacknowledged at once.
    SendWindow(std::size_t queue_capacity, std::size_t max_packets);

    // The next packet will be `next_seq`; everything before it counts as acknowledged.
    void reset(std::uint16_t next_seq);

    // Queues what fits of `data`; returns the bytes taken.
    std::size_t queue(std::span<const std::uint8_t> data);
    std::size_t queued() const { return queue_.size(); }
    std::size_t queue_free() const { return queue_.free(); }

    // Whether another packet has a slot.
    bool can_push() const { return outstanding_ < slot_count_; }
    // A new packet numbered next_seq(), with up to `max_payload` queued bytes. Needs can_push().
    SentPacket& push(PacketType type, std::size_t max_payload);

    // The packet `seq_nr` if it is sent and not yet cumulatively acknowledged.
    SentPacket* find(std::uint16_t seq_nr);

    std::uint16_t next_seq() const { return next_seq_; }
    // The last packet cumulatively acknowledged.
    std::uint16_t acked_seq() const { return acked_seq_; }
    // Packets sent and not cumulatively acknowledged.
    std::size_t outstanding() const { return outstanding_; }
    std::size_t bytes_in_flight() const { return in_flight_; }
    // Packets counted lost and waiting to go again.
    std::size_t to_resend() const { return resend_count_; }

    // Bookkeeping of one (re)transmission at `now_us`.
    void on_transmit(SentPacket& packet, std::uint64_t now_us);
    // Counts a packet lost: out of flight until it is sent again.
    void mark_lost(SentPacket& packet);
    // A selective ack of `packet`: its bytes leave the flight (returns them; 0 if acked before).
    std::size_t mark_sacked(SentPacket& packet);

    // Frees every packet up to and including `ack_nr`, calling `f(const SentPacket&, bool
    // newly)` for each (`newly` is false for those selectively acknowledged before).
    template <class F>
    void ack_through(std::uint16_t ack_nr, F&& f) {
        while (outstanding_ > 0 && seq_less(acked_seq_, ack_nr)) {
            acked_seq_ = seq_add(acked_seq_, 1);
            SentPacket& p = slot(acked_seq_);
            if (!p.used || p.seq_nr != acked_seq_)
                continue;
            const bool newly = !p.sacked;
            mark_sacked(p);
            f(static_cast<const SentPacket&>(p), newly);
            p.used = false;
            --outstanding_;
        }
        if (seq_less(acked_seq_, ack_nr))
            acked_seq_ = ack_nr;
    }

    // Calls `f(SentPacket&)` for each unacknowledged packet, oldest first.
    template <class F>
    void for_each_outstanding(F&& f) {
        std::uint16_t seq = seq_add(acked_seq_, 1);
        for (std::size_t i = 0; i < outstanding_; ++i, seq = seq_add(seq, 1)) {
            SentPacket& p = slot(seq);
            if (p.used && p.seq_nr == seq)
                f(p);
        }
    }

  private:
    SentPacket& slot(std::uint16_t seq_nr) { return slots_[seq_nr & mask_]; }

    ByteRing queue_;
    std::size_t slot_count_;
    std::vector<SentPacket> slots_;  // slot_count_ of them, made by the first push()
    std::uint16_t mask_;
    std::uint16_t next_seq_ = 0;
    std::uint16_t acked_seq_ = 0xffff;
    std::size_t outstanding_ = 0;
    std::size_t in_flight_ = 0;
    std::size_t resend_count_ = 0;
};

}  // namespace shoal::utp
