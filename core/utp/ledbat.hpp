#pragma once
// uTP's congestion control (BEP 29, as libtorrent's utp_stream does it): LEDBAT, a send window
// driven by the one-way queuing delay against a 100 ms target, halved on loss and when slow
// start overshoots the target; and the round trip estimator that sets the retransmission
// timeout. Time is always passed in, in microseconds on any steady clock.

#include <array>
#include <cstddef>
#include <cstdint>

namespace shoal::utp {

struct LedbatConfig {
    std::uint32_t target_delay_us = 100'000;
    // The largest packet payload; the window never falls below one.
    std::size_t mss = 1150;
    // Window growth per round trip at zero queuing delay (libtorrent's utp_gain_factor).
    std::size_t gain_bytes_per_rtt = 3000;
    std::size_t initial_window = 2 * 1150;
    // A ceiling so that no sequence of acks grows the window without bound.
    std::size_t max_window = 16 * 1024 * 1024;
    // The base delay is the least of one minimum per interval over the last `history` intervals.
    std::uint64_t history_interval_us = 60'000'000;
    std::size_t history = 2;
    // A queuing delay this many times the target is not ours (LEDBAT alone keeps it near the
    // target): another flow, TCP most likely, is filling the queue. The window then halves, at
    // most once per round trip, instead of shrinking by at most gain_bytes_per_rtt per round
    // trip, which on a fast link takes minutes to step aside. 0 turns it off.
    double yield_factor = 2.0;
};

// The lowest one-way delay seen over the last minutes: the delay with empty queues. Samples
// carry an unknown clock offset and may wrap around 2^32, so they are compared modulo 2^32.
class DelayHistory {
  public:
    explicit DelayHistory(std::uint64_t interval_us = 60'000'000, std::size_t intervals = 2);

    void add(std::uint32_t sample_us, std::uint64_t now_us);
    bool empty() const { return count_ == 0; }
    // The base delay (0 before the first sample).
    std::uint32_t base() const;
    // How far `sample_us` lies above the base (0 when it is below it).
    std::uint32_t above_base(std::uint32_t sample_us) const;

    static constexpr std::size_t k_max_intervals = 8;

  private:
    std::array<std::uint32_t, k_max_intervals> minima_{};  // minima_[0] is the current interval
    std::size_t count_ = 0;                                // intervals with a sample
    std::size_t intervals_;
    std::uint64_t interval_us_;
    std::uint64_t interval_start_us_ = 0;
};

// The LEDBAT send window in bytes.
class Ledbat {
  public:
    explicit Ledbat(const LedbatConfig& config = {});

    // A delay sample: the other side's timestamp_difference_microseconds for our packets.
    void on_delay_sample(std::uint32_t delay_us, std::uint64_t now_us);
    // `bytes_acked` newly acknowledged. The window only grows when it was the limit on sending
    // (`window_limited`): an idle connection learns nothing about the path.
    void on_ack(std::size_t bytes_acked, bool window_limited);
    // A lost packet: the window halves, at most once per round trip (`rtt_us`). Returns
    // whether it did.
    bool on_loss(std::uint64_t now_us, std::uint64_t rtt_us);
    // After on_ack: halves the window (once per round trip, shared with losses) when the queuing
    // delay is LedbatConfig::yield_factor times the target or more. Returns whether it did.
    bool yield_to_other_flows(std::uint64_t now_us, std::uint64_t rtt_us);
    // Retransmission timeout: one packet's worth, and slow start again up to half the old window.
    void on_timeout();

    std::size_t window() const { return static_cast<std::size_t>(window_); }
    bool slow_start() const { return slow_start_; }
    std::uint32_t base_delay() const { return history_.base(); }
    // The queuing delay the window reacts to: the least of the last few samples over the base.
    std::uint32_t our_delay() const;
    const LedbatConfig& config() const { return config_; }

  private:
    void clamp();

    LedbatConfig config_;
    DelayHistory history_;
    // The last few raw samples; their minimum filters out single late packets.
    std::array<std::uint32_t, 3> recent_{};
    std::size_t recent_count_ = 0;
    std::size_t recent_next_ = 0;
    double window_;
    double ssthresh_;
    bool slow_start_ = true;
    bool cut_before_ = false;
    std::uint64_t last_cut_us_ = 0;
};

struct RttConfig {
    std::uint64_t initial_rto_us = 1'000'000;
    // BEP 29's floor is 500 ms; a full second (as RFC 6298) spares needless resends on paths
    // whose delay swings as LEDBAT fills and drains the queues.
    std::uint64_t min_rto_us = 1'000'000;
    std::uint64_t max_rto_us = 60'000'000;
};

// Smoothed round trip and its variation (BEP 29's formulas) and the retransmission timeout
// rto = max(rtt + 4 * rtt_var, min), doubled for each timeout in a row, capped.
class RttEstimator {
  public:
    explicit RttEstimator(const RttConfig& config = {}) : config_(config) {}

    // The round trip of a packet sent once (a resent one's ack is ambiguous).
    void on_sample(std::uint64_t rtt_us);
    // A timeout: the next one waits twice as long.
    void on_timeout();
    // An ack arrived: the backoff ends.
    void reset_backoff() { backoff_ = 0; }

    bool has_sample() const { return has_sample_; }
    std::uint64_t rtt() const { return rtt_; }
    std::uint64_t rtt_var() const { return rtt_var_; }
    std::uint64_t rto() const;
    unsigned backoff() const { return backoff_; }

  private:
    RttConfig config_;
    bool has_sample_ = false;
    std::uint64_t rtt_ = 0;
    std::uint64_t rtt_var_ = 0;
    unsigned backoff_ = 0;
};

}  // namespace shoal::utp
