#pragma once
// One uTP connection (BEP 29) as a state machine without sockets: packets come in through
// on_packet, time through on_tick, and every datagram to send leaves through the send
// function, written into one buffer the connection reuses. Bytes written are packed into
// numbered packets and resent until acknowledged; bytes received are handed out in order
// through read(). Nothing a peer sends can make it hold more than its configured bounds.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "utp/ledbat.hpp"
#include "utp/packet.hpp"
#include "utp/receive_buffer.hpp"
#include "utp/send_window.hpp"

namespace shoal::utp {

struct UtpConfig {
    // Payload bytes per packet at first: small enough for any path's MTU.
    std::size_t packet_size = 1150;
    // Path MTU discovery: the largest datagram (uTP header, selective ack and payload) tried,
    // that of a 1,500-byte IPv6 packet; packet_size plus header and the least selective ack
    // means no probing.
    std::size_t max_datagram = 1452;
    // Bytes write() may queue before they are packed.
    std::size_t send_buffer = 1024 * 1024;
    // Bytes held for the reader, read queue and out-of-order packets together; the window
    // advertised to the peer is this less what is held and the room kept for the packet that
    // fills a gap (ReceiveBuffer::k_gap_reserve). At least twice that room.
    std::size_t receive_buffer = 1024 * 1024;
    // Packets sent and not yet acknowledged (rounded up to a power of two, at most 16384).
    std::size_t max_packets_in_flight = 1024;
    // Packets accepted ahead of the first gap (rounded up to a power of two, at most 32768).
    std::size_t max_reorder_packets = 1024;
    // An ack goes out when nothing has been sent for this long (NATs forget idle mappings).
    std::uint64_t keepalive_us = 29'000'000;
    // Timeouts in a row after which the connection is given up: while connecting, and after.
    unsigned max_syn_timeouts = 3;
    unsigned max_timeouts = 6;
    LedbatConfig ledbat;
    RttConfig rtt;
};

enum class UtpState {
    idle,          // neither connect() nor accept() yet
    syn_sent,      // our SYN is out
    syn_received,  // we answered a SYN; the initiator has sent nothing else yet
    connected,     // (the initiator's STATE or data has come)
    fin_sent,      // our FIN is out; the peer may still send
    closed,        // finished both ways, or given up (see close_reason)
    reset,         // ended by a RESET, theirs or ours
};

std::string_view state_name(UtpState state);

enum class CloseReason { none, finished, timed_out, reset_by_peer, aborted };

// What the connection refused or had to do again; the counters a peer can push are here so
// that a misbehaving one shows.
struct UtpStats {
    std::uint64_t packets_sent = 0;
    std::uint64_t packets_received = 0;
    std::uint64_t bytes_delivered = 0;
    std::uint64_t malformed = 0;  // datagrams that were not uTP packets
    std::uint64_t bogus_connection_id = 0;
    std::uint64_t unexpected_syn = 0;
    std::uint64_t acks_of_unsent = 0;  // acks for packets never sent: the packet is ignored
    std::uint64_t stale_acks = 0;      // acks older than the oldest packet outstanding
    std::uint64_t duplicates = 0;      // data received twice
    std::uint64_t out_of_window = 0;   // data too far ahead, or past the FIN
    std::uint64_t no_room = 0;         // data beyond the advertised window
    std::uint64_t retransmits = 0;
    std::uint64_t fast_retransmits = 0;
    std::uint64_t timeouts = 0;
    std::uint64_t mtu_probes = 0;       // packets sent larger than any that got through before
    std::uint64_t mtu_probes_lost = 0;  // of those, the ones lost (the path's MTU is smaller)
};

class UtpConnection {
  public:
    // Called with each datagram to send; the bytes are valid only during the call.
    using SendFunction = std::function<void(std::span<const std::uint8_t>)>;

    UtpConnection(const UtpConfig& config, SendFunction send);
    UtpConnection(const UtpConnection&) = delete;
    UtpConnection& operator=(const UtpConnection&) = delete;

    // Starts a connection: packets come back to `recv_id` (the SYN carries it) and go out with
    // recv_id + 1. The caller draws `recv_id` and `initial_seq` at random.
    void connect(std::uint16_t recv_id, std::uint16_t initial_seq, std::uint64_t now_us);
    // Answers `syn`: packets go out with its id and come back with id + 1. False (and nothing
    // sent) if it is not a SYN or this connection has started already.
    bool accept(const Packet& syn, std::uint16_t initial_seq, std::uint64_t now_us);

    // A packet that arrived for this connection (its id is checked again here).
    void on_packet(const Packet& packet, std::uint64_t now_us);
    // The same from raw bytes; malformed datagrams are counted and dropped.
    void on_datagram(std::span<const std::uint8_t> datagram, std::uint64_t now_us);
    // While held, a packet that needs an ack and brings none of ours with data leaves it
    // pending until flush_ack(): a socket that reads datagrams in batches answers a burst
    // with one ack instead of one per packet.
    void hold_acks(bool hold) { hold_acks_ = hold; }
    // Sends the ack a held packet left pending, if any.
    void flush_ack(std::uint64_t now_us);
    // Drives the timers: resends, giving up, keep-alives. Call by next_deadline() at least.
    void on_tick(std::uint64_t now_us);
    // When on_tick next has something to do; nullopt when nothing is pending.
    std::optional<std::uint64_t> next_deadline() const;

    // Queues what fits of `data` (see writable()) and sends what the windows allow; returns
    // the bytes taken. Nothing is taken before the connection is set up or after close().
    std::size_t write(std::span<const std::uint8_t> data, std::uint64_t now_us);
    // Moves received bytes, in order, into `out`; returns how many.
    std::size_t read(std::span<std::uint8_t> out, std::uint64_t now_us);
    std::size_t writable() const;
    std::size_t readable() const { return recv_.readable(); }
    // The peer has finished sending and everything it sent has been read.
    bool eof() const { return recv_.eof() && recv_.readable() == 0; }

    // Sends a FIN once every queued byte is out; the peer may still send until its own FIN.
    void close(std::uint64_t now_us);
    // Ends the connection at once with a RESET.
    void abort(std::uint64_t now_us);

    UtpState state() const { return state_; }
    // Accepted, and the initiator has spoken since its SYN (so its address is not forged).
    // Always true for a connection we initiated.
    bool confirmed() const { return initiator_ || confirmed_; }
    CloseReason close_reason() const { return reason_; }
    // Whether the caller may drop this connection: nothing will be sent or received any more.
    bool done() const { return state_ == UtpState::closed || state_ == UtpState::reset; }
    std::uint16_t recv_id() const { return recv_id_; }
    std::uint16_t send_id() const { return send_id_; }
    const UtpStats& stats() const { return stats_; }
    // Payload bytes of a new packet: grows as larger probes get through.
    std::size_t packet_size() const { return mtu_floor_ - k_packet_overhead; }
    // True while the datagram being sent is a path MTU probe: it must leave with the Don't
    // Fragment bit, so that a path too narrow drops it instead of fragmenting it. Read by the
    // send function; its resends go without.
    bool sending_probe() const { return sending_probe_; }
    std::size_t congestion_window() const { return ledbat_.window(); }
    std::uint32_t peer_window() const { return peer_window_; }
    std::size_t bytes_in_flight() const { return send_.bytes_in_flight(); }
    std::uint64_t rto() const { return rtt_.rto(); }
    const Ledbat& ledbat() const { return ledbat_; }

  private:
    // Receiving (connection.cpp).
    bool accept_id(const Packet& packet);
    void handle_syn(const Packet& packet, std::uint64_t now_us);
    void handle_payload(const Packet& packet);
    void finish(UtpState state, CloseReason reason);
    void check_finished();

    // Acks and loss (connection_acks.cpp).
    bool ack_is_valid(const Packet& packet);
    void handle_ack(const Packet& packet, std::uint64_t now_us);
    void detect_sack_loss(std::uint64_t now_us);
    void on_loss(std::uint64_t now_us);
    void on_timeout(std::uint64_t now_us);
    // Path MTU discovery (connection_send.cpp): whether the next new packet is a probe, and
    // what the fate of the probe `packet` says. A lost probe is no sign of congestion.
    bool probe_due() const;
    void probe_acked(const SentPacket& packet);
    bool probe_lost(const SentPacket& packet);

    // Sending (connection_send.cpp).
    void pump(std::uint64_t now_us);
    bool window_allows(std::size_t bytes) const;
    void transmit(SentPacket& packet, std::uint64_t now_us);
    void send_state(std::uint64_t now_us);
    void send_reset(std::uint64_t now_us);
    void emit(const PacketHeader& header, std::span<const std::uint8_t> payload,
              std::uint64_t now_us);
    std::uint32_t advertised_window() const;

    UtpConfig config_;
    SendFunction send_fn_;
    UtpState state_ = UtpState::idle;
    CloseReason reason_ = CloseReason::none;
    std::uint16_t recv_id_ = 0;
    std::uint16_t send_id_ = 0;
    bool initiator_ = false;
    bool confirmed_ = false;
    std::uint16_t initial_seq_ = 0;       // our first number: the SYN's, or the answering STATE's
    std::uint16_t syn_seq_ = 0;           // the peer's SYN, when we accepted
    std::uint16_t peer_initial_seq_ = 0;  // the answering STATE's, when we initiated
    std::uint64_t last_nudge_us_ = 0;     // the last SYN sent early (0: none)

    SendWindow send_;
    ReceiveBuffer recv_;
    Ledbat ledbat_;
    RttEstimator rtt_;
    // What a datagram holds besides the payload: the header and the least selective ack.
    static constexpr std::size_t k_packet_overhead = k_header_size + 2 + 4;
    // Datagram sizes (header, selective ack, payload) known to get through (new packets
    // fill it), and known not to or not tried (the search ends when they meet), and the
    // probe in flight, if any.
    std::size_t mtu_floor_;
    std::size_t mtu_ceiling_;
    std::size_t mtu_initial_floor_;
    std::optional<std::uint16_t> mtu_probe_seq_;
    std::size_t mtu_probe_size_ = 0;
    bool sending_probe_ = false;
    std::uint32_t peer_window_ = 0;
    std::uint32_t reply_micro_ = 0;  // our latest delay sample of the peer's packets

    bool ack_pending_ = false;
    bool hold_acks_ = false;
    bool window_limited_ = false;  // the congestion window stopped a send with data waiting
    unsigned duplicate_acks_ = 0;
    unsigned timeouts_ = 0;             // in a row
    std::uint64_t rto_deadline_ = 0;    // 0: not armed
    std::uint64_t probe_deadline_ = 0;  // 0: not armed; a zero window is probed then
    std::uint64_t last_send_us_ = 0;
    std::uint32_t last_advertised_ = 0;

    bool close_requested_ = false;
    bool fin_sent_ = false;
    std::uint16_t fin_seq_ = 0;

    std::vector<std::uint8_t> datagram_;  // every packet is written here, then sent
    UtpStats stats_;
};

}  // namespace shoal::utp
