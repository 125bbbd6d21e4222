#pragma once
// The receiving half of a uTP connection: bytes delivered in order and waiting to be read,
// packets that arrived ahead of a gap, and the end of the stream once the FIN is reached.
// Both are bounded by one byte budget, which is the window advertised to the sender.

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "utp/byte_ring.hpp"
#include "utp/packet.hpp"

namespace shoal::utp {

class ReceiveBuffer {
  public:
    // Bytes of the budget that only an in-order packet may use: the largest payload a
    // datagram can carry.
    static constexpr std::size_t k_gap_reserve = k_max_datagram - k_header_size;

    // `capacity` bytes held in all (read queue and reorder buffer; at least twice the gap
    // reserve); `max_reorder` packets past the first gap accepted (rounded up to a power of two).
    ReceiveBuffer(std::size_t capacity, std::size_t max_reorder);

    // Starts the stream after `ack_nr`, the last sequence number already received.
    void reset(std::uint16_t ack_nr);

    enum class Verdict {
        delivered,      // in order: readable now, with whatever it unblocked
        buffered,       // ahead of a gap: held
        duplicate,      // received before
        out_of_window,  // too far ahead, or past the FIN
        no_room,        // over the advertised window
    };
    Verdict on_data(std::uint16_t seq_nr, std::span<const std::uint8_t> payload);
    // The FIN is `seq_nr`; the stream ends once every packet before it has arrived. A second
    // FIN at another number is refused (false).
    bool on_fin(std::uint16_t seq_nr);

    // The last sequence number received in order.
    std::uint16_t ack_nr() const { return ack_nr_; }
    // The budget less what is held.
    std::size_t free_space() const { return capacity_ - readable_.size() - reorder_bytes_; }
    // Bytes the sender may still send: the free space less the room kept for a gap's packet.
    std::size_t window() const {
        const std::size_t free = free_space();
        return free > k_gap_reserve ? free - k_gap_reserve : 0;
    }
    std::size_t readable() const { return readable_.size(); }
    std::size_t reordered_packets() const { return reorder_count_; }
    std::size_t reordered_bytes() const { return reorder_bytes_; }
    bool fin_received() const { return has_fin_; }
    // Every packet up to the FIN has arrived (what is readable may still be unread).
    bool eof() const { return eof_; }

    // Moves up to out.size() readable bytes into `out`; returns how many.
    std::size_t read(std::span<std::uint8_t> out);
    // The selective ack for what is held past the gap; false when nothing is.
    // At most `max_bytes` of mask (whole words, at least one): a datagram short of room
    // acknowledges fewer packets ahead.
    bool fill_sack(SelectiveAck& sack, std::size_t max_bytes = k_max_sack_bytes) const;

  private:
    struct Slot {
        bool used = false;
        std::uint16_t seq_nr = 0;
        std::vector<std::uint8_t> bytes;  // keeps its capacity for the next packet
    };
    void append(std::span<const std::uint8_t> bytes);
    void drain();

    std::size_t capacity_;
    ByteRing readable_;
    std::size_t slot_count_;
    std::vector<Slot> slots_;  // indexed by seq_nr & mask_; made on the first packet out of order
    std::uint16_t mask_;
    std::size_t reorder_count_ = 0;
    std::size_t reorder_bytes_ = 0;
    std::uint16_t ack_nr_ = 0;
    bool has_fin_ = false;
    std::uint16_t fin_seq_ = 0;
    bool eof_ = false;
};

}  // namespace shoal::utp
