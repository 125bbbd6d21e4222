// UtpConnection: what the peer's acks say (cumulative and selective), loss, and timeouts.

#include <algorithm>
#include <limits>

#include "utp/connection.hpp"
#include "utp/sequence.hpp"

namespace shoal::utp {

namespace {

// Selective acks of packets sent after a missing one that declare it lost (BEP 29).
constexpr std::size_t k_loss_after_acks = 3;
// Duplicate acks that declare the packet after them lost.
constexpr unsigned k_duplicate_ack_limit = 3;
constexpr std::uint64_t k_no_sample = std::numeric_limits<std::uint64_t>::max();

}  // namespace

bool UtpConnection::ack_is_valid(const Packet& packet) {
    const std::uint16_t ack = packet.header.ack_nr;
    const std::uint16_t last_sent = seq_add(send_.next_seq(), -1);
    if (seq_less(last_sent, ack)) {
        // Acks for what we never sent come from a confused or forging peer: the whole packet
        // is dropped, as libtorrent does.
        ++stats_.acks_of_unsent;
        return false;
    }
    if (state_ == UtpState::syn_sent && ack != last_sent) {
        ++stats_.stale_acks;
        return false;
    }
    return true;
}

void UtpConnection::handle_ack(const Packet& packet, std::uint64_t now_us) {
    const std::uint16_t ack = packet.header.ack_nr;
    if (seq_less(ack, send_.acked_seq())) {
        // Overtaken by a later ack; its data is still good.
        ++stats_.stale_acks;
        return;
    }
    const bool window_limited = window_limited_;
    std::size_t acked_bytes = 0;
    bool progress = false;
    // One round trip sample per ack: the least over the packets it acknowledges, as
    // libtorrent takes it. A packet sent twice leaves it unknown which copy the ack is for,
    // and the packets after a resent one may have waited in the peer's reorder buffer for
    // it, so they give no sample either: their acks say how long the gap took to fill.
    std::uint64_t sample = k_no_sample;
    bool after_resent = false;
    send_.ack_through(ack, [&](const SentPacket& p, bool newly) {
        progress = true;
        probe_acked(p);
        if (p.transmissions > 1)
            after_resent = true;
        if (!newly)
            return;
        acked_bytes += p.payload.size();
        if (!after_resent)
            sample = std::min(sample, now_us - p.sent_us);
    });

    bool sacked_any = false;
    if (packet.has_sack) {
        for (std::size_t bit = 0; bit < packet.sack.bit_count(); ++bit) {
            if (!packet.sack.test(bit))
                continue;
            SentPacket* p = send_.find(seq_add(ack, static_cast<int>(bit + 2)));
            if (p == nullptr || p->sacked)
                continue;
            if (p->transmissions == 1)
                sample = std::min(sample, now_us - p->sent_us);
            probe_acked(*p);
            acked_bytes += send_.mark_sacked(*p);
            sacked_any = true;
        }
    }

    if (sample != k_no_sample)
        rtt_.on_sample(sample);
    if (progress) {
        duplicate_acks_ = 0;
        timeouts_ = 0;
        rtt_.reset_backoff();
        rto_deadline_ = send_.outstanding() > 0 ? now_us + rtt_.rto() : 0;
    } else if (packet.header.type == PacketType::state && packet.payload.empty() &&
               send_.outstanding() > 0 && ack == send_.acked_seq()) {
        // Counted up to the limit only: a peer repeating its ack cannot make the count wrap.
        if (duplicate_acks_ < k_duplicate_ack_limit)
            ++duplicate_acks_;
        if (duplicate_acks_ >= k_duplicate_ack_limit) {
            SentPacket* next = send_.find(seq_add(ack, 1));
            if (next != nullptr && !next->sacked && !next->fast_resent && next->transmissions > 0) {
                next->fast_resent = true;
                send_.mark_lost(*next);
                ++stats_.fast_retransmits;
                if (!probe_lost(*next))
                    on_loss(now_us);
            }
        }
    }
    if (acked_bytes > 0) {
        ledbat_.on_ack(acked_bytes, window_limited);
        ledbat_.yield_to_other_flows(now_us, rtt_.has_sample() ? rtt_.rtt() : rtt_.rto());
    }
    if (sacked_any)
        detect_sack_loss(now_us);
}

void UtpConnection::detect_sack_loss(std::uint64_t now_us) {
    std::size_t sacked_total = 0;
    send_.for_each_outstanding([&](SentPacket& p) {
        if (p.sacked)
            ++sacked_total;
    });
    // Oldest first: a packet with three or more selectively acked packets after it is lost.
    std::size_t sacked_seen = 0;
    bool lost = false;
    send_.for_each_outstanding([&](SentPacket& p) {
        if (p.sacked) {
            ++sacked_seen;
            return;
        }
        if (sacked_total - sacked_seen < k_loss_after_acks)
            return;
        if (p.fast_resent || p.need_resend || p.transmissions == 0)
            return;
        p.fast_resent = true;
        send_.mark_lost(p);
        ++stats_.fast_retransmits;
        if (!probe_lost(p))
            lost = true;
    });
    if (lost)
        on_loss(now_us);
}

void UtpConnection::on_loss(std::uint64_t now_us) {
    // Once per round trip: the losses of one window are one congestion event.
    ledbat_.on_loss(now_us, rtt_.has_sample() ? rtt_.rtt() : rtt_.rto());
}

void UtpConnection::on_timeout(std::uint64_t now_us) {
    ++timeouts_;
    ++stats_.timeouts;
    const bool connecting = state_ == UtpState::syn_sent || state_ == UtpState::syn_received;
    if (timeouts_ > (connecting ? config_.max_syn_timeouts : config_.max_timeouts)) {
        finish(UtpState::closed, CloseReason::timed_out);
        return;
    }
    rtt_.on_timeout();
    if (send_.outstanding() == 0) {
        // An accepted connection the initiator has not spoken on since: our STATE again.
        send_state(now_us);
        rto_deadline_ = now_us + rtt_.rto();
        return;
    }
    // Everything in flight is presumed lost; the window restarts from one packet.
    ledbat_.on_timeout();
    duplicate_acks_ = 0;
    send_.for_each_outstanding([&](SentPacket& p) {
        probe_lost(p);
        send_.mark_lost(p);
        p.fast_resent = false;
    });
    if (timeouts_ >= 2 && mtu_floor_ > mtu_initial_floor_) {
        // The path may have changed under us to one that takes less (a black hole that
        // drops what it cannot pass, and says nothing): back to the safe size, searching again
        // below what worked before.
        mtu_ceiling_ = mtu_floor_ - 1;
        mtu_floor_ = mtu_initial_floor_;
    }
    rto_deadline_ = now_us + rtt_.rto();
    pump(now_us);
}

}  // namespace shoal::utp
