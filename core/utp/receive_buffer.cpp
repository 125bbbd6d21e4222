#include "utp/receive_buffer.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

#include "utp/sequence.hpp"

namespace shoal::utp {

namespace {

// A power of two from 2 to half the sequence space, so that slots map one to one onto the
// numbers in the window.
std::size_t slot_count(std::size_t wanted) {
    return std::bit_ceil(std::clamp<std::size_t>(wanted, 2, 0x8000));
}

}  // namespace

ReceiveBuffer::ReceiveBuffer(std::size_t capacity, std::size_t max_reorder)
    : capacity_(std::max(capacity, 2 * k_gap_reserve)),
      readable_(capacity_),
      slot_count_(slot_count(max_reorder)),
      mask_(static_cast<std::uint16_t>(slot_count_ - 1)) {}

void ReceiveBuffer::reset(std::uint16_t ack_nr) {
    ack_nr_ = ack_nr;
    readable_.clear();
    for (auto& slot : slots_)
        slot.used = false;
    reorder_count_ = 0;
    reorder_bytes_ = 0;
    has_fin_ = false;
    eof_ = false;
}

ReceiveBuffer::Verdict ReceiveBuffer::on_data(std::uint16_t seq_nr,
                                              std::span<const std::uint8_t> payload) {
    const std::uint16_t ahead = seq_distance(ack_nr_, seq_nr);
    if (ahead == 0 || ahead >= 0x8000)
        return Verdict::duplicate;
    if (has_fin_ && !seq_less(seq_nr, fin_seq_))
        return Verdict::out_of_window;
    if (ahead > slot_count_ + 1)
        return Verdict::out_of_window;
    if (ahead == 1) {
        if (payload.size() > free_space())
            return Verdict::no_room;
        append(payload);
        ack_nr_ = seq_nr;
        drain();
        return Verdict::delivered;
    }
    // Made on the first packet out of order: most connections never need them.
    if (slots_.empty())
        slots_.resize(slot_count_);
    Slot& slot = slots_[seq_nr & mask_];
    if (slot.used)  // within the window a slot can hold this number only
        return slot.seq_nr == seq_nr ? Verdict::duplicate : Verdict::out_of_window;
    // Packets past a gap leave room for the packet that fills it, or a full buffer of
    // them could never be delivered.
    if (payload.size() + k_gap_reserve > free_space())
        return Verdict::no_room;
    slot.used = true;
    slot.seq_nr = seq_nr;
    slot.bytes.assign(payload.begin(), payload.end());
    ++reorder_count_;
    reorder_bytes_ += payload.size();
    return Verdict::buffered;
}

bool ReceiveBuffer::on_fin(std::uint16_t seq_nr) {
    if (has_fin_)
        return seq_nr == fin_seq_;
    const std::uint16_t ahead = seq_distance(ack_nr_, seq_nr);
    if (ahead == 0 || ahead >= 0x8000 || ahead > slot_count_ + 1)
        return false;
    // Nothing already held may lie at or past the end.
    for (std::size_t i = 0; i < slots_.size(); ++i) {
        const Slot& slot = slots_[i];
        if (slot.used && !seq_less(slot.seq_nr, seq_nr))
            return false;
    }
    has_fin_ = true;
    fin_seq_ = seq_nr;
    drain();
    return true;
}

void ReceiveBuffer::append(std::span<const std::uint8_t> bytes) {
    // (The ring's storage is made at the first byte: a connection that never receives holds
    // no buffer. The caller has checked that the bytes fit.)
    readable_.push(bytes);
}

void ReceiveBuffer::drain() {
    while (reorder_count_ > 0) {
        const std::uint16_t next = seq_add(ack_nr_, 1);
        Slot& slot = slots_[next & mask_];
        if (!slot.used || slot.seq_nr != next)
            break;
        // Its bytes were counted against the budget already, so they fit.
        reorder_bytes_ -= slot.bytes.size();
        --reorder_count_;
        append(slot.bytes);
        slot.used = false;
        ack_nr_ = next;
    }
    if (has_fin_ && seq_add(ack_nr_, 1) == fin_seq_) {
        ack_nr_ = fin_seq_;
        eof_ = true;
    }
}

std::size_t ReceiveBuffer::read(std::span<std::uint8_t> out) {
    return readable_.pop(out);
}

bool ReceiveBuffer::fill_sack(SelectiveAck& sack, std::size_t max_bytes) const {
    if (reorder_count_ == 0)
        return false;
    // Bit i stands for ack_nr + 2 + i; the mask reaches the last packet held, within its cap
    // and whole words of `max_bytes`.
    const std::size_t words = std::max<std::size_t>(1, std::min(max_bytes, k_max_sack_bytes) / 4);
    const std::size_t bits = std::min(slot_count_, words * 32);
    std::size_t highest = 0;
    bool any = false;
    for (std::size_t i = 0; i < bits; ++i) {
        const std::uint16_t seq = seq_add(ack_nr_, static_cast<int>(i + 2));
        const Slot& slot = slots_[seq & mask_];
        if (slot.used && slot.seq_nr == seq) {
            highest = i;
            any = true;
        }
    }
    if (!any)
        return false;
    sack = SelectiveAck((highest / 32 + 1) * 4);
    for (std::size_t i = 0; i <= highest; ++i) {
        const std::uint16_t seq = seq_add(ack_nr_, static_cast<int>(i + 2));
        const Slot& slot = slots_[seq & mask_];
        if (slot.used && slot.seq_nr == seq)
            sack.set(i);
    }
    return true;
}

}  // namespace shoal::utp
