#include "utp/ledbat.hpp"

#include <algorithm>
#include <cstdlib>

namespace shoal::utp {

namespace {

// Whether `a` is below `b` modulo 2^32 (less than half the space behind it).
bool less_wrap(std::uint32_t a, std::uint32_t b) {
    const std::uint32_t d = b - a;
    return d != 0 && d < 0x80000000u;
}

std::uint32_t min_wrap(std::uint32_t a, std::uint32_t b) {
    return less_wrap(b, a) ? b : a;
}

}  // namespace

DelayHistory::DelayHistory(std::uint64_t interval_us, std::size_t intervals)
    : intervals_(std::clamp<std::size_t>(intervals, 1, k_max_intervals)),
      interval_us_(std::max<std::uint64_t>(interval_us, 1)) {}

void DelayHistory::add(std::uint32_t sample_us, std::uint64_t now_us) {
    if (count_ == 0) {
        minima_[0] = sample_us;
        count_ = 1;
        interval_start_us_ = now_us;
        return;
    }
    if (now_us - interval_start_us_ >= interval_us_) {
        // A new interval: the oldest minimum falls out of the history.
        for (std::size_t i = intervals_ - 1; i > 0; --i)
            minima_[i] = minima_[i - 1];
        minima_[0] = sample_us;
        count_ = std::min(count_ + 1, intervals_);
        interval_start_us_ = now_us;
        return;
    }
    minima_[0] = min_wrap(minima_[0], sample_us);
}

std::uint32_t DelayHistory::base() const {
    if (count_ == 0)
        return 0;
    std::uint32_t lowest = minima_[0];
    for (std::size_t i = 1; i < count_; ++i)
        lowest = min_wrap(lowest, minima_[i]);
    return lowest;
}

std::uint32_t DelayHistory::above_base(std::uint32_t sample_us) const {
    const std::uint32_t b = base();
    return less_wrap(b, sample_us) ? sample_us - b : 0;
}

Ledbat::Ledbat(const LedbatConfig& config)
    : config_(config),
      history_(config.history_interval_us, config.history),
      window_(static_cast<double>(config.initial_window)),
      ssthresh_(static_cast<double>(config.max_window)) {
    config_.mss = std::max<std::size_t>(config_.mss, 1);
    clamp();
}

void Ledbat::on_delay_sample(std::uint32_t delay_us, std::uint64_t now_us) {
    history_.add(delay_us, now_us);
    recent_[recent_next_] = delay_us;
    recent_next_ = (recent_next_ + 1) % recent_.size();
    recent_count_ = std::min(recent_count_ + 1, recent_.size());
}

std::uint32_t Ledbat::our_delay() const {
    if (recent_count_ == 0)
        return 0;
    std::uint32_t lowest = history_.above_base(recent_[0]);
    for (std::size_t i = 1; i < recent_count_; ++i)
        lowest = std::min(lowest, history_.above_base(recent_[i]));
    return lowest;
}

void Ledbat::on_ack(std::size_t bytes_acked, bool window_limited) {
    if (bytes_acked == 0)
        return;
    const double target = std::max<double>(config_.target_delay_us, 1);
    const double delay = our_delay();
    if (slow_start_ && delay >= target) {
        // The first queuing beyond the target ends slow start. The delay it saw is a round
        // trip old, and the window has doubled since: it is halved back, as for a loss, or
        // draining that overshoot at LEDBAT's pace would take minutes.
        slow_start_ = false;
        window_ /= 2;
        clamp();
        ssthresh_ = window_;
    }
    // off_target in units of the target. The decrease per round trip is capped at the size
    // of the largest increase, so one stray sample cannot empty the window.
    const double off_target = std::max((target - delay) / target, -1.0);
    const double acked = static_cast<double>(bytes_acked);
    const double linear = static_cast<double>(config_.gain_bytes_per_rtt) * off_target * acked /
                          std::max(window_, static_cast<double>(config_.mss));
    double gain = slow_start_ ? std::max(acked, linear) : linear;
    if (gain > 0 && !window_limited)
        gain = 0;
    window_ += gain;
    if (slow_start_ && window_ >= ssthresh_)
        slow_start_ = false;
    clamp();
}

bool Ledbat::on_loss(std::uint64_t now_us, std::uint64_t rtt_us) {
    if (cut_before_ && now_us - last_cut_us_ < rtt_us)
        return false;
    cut_before_ = true;
    last_cut_us_ = now_us;
    window_ /= 2;
    slow_start_ = false;
    clamp();
    ssthresh_ = window_;
    return true;
}

bool Ledbat::yield_to_other_flows(std::uint64_t now_us, std::uint64_t rtt_us) {
    if (config_.yield_factor <= 0 || recent_count_ == 0)
        return false;
    const double far = config_.yield_factor * static_cast<double>(config_.target_delay_us);
    if (static_cast<double>(our_delay()) < far)
        return false;
    return on_loss(now_us, rtt_us);
}

void Ledbat::on_timeout() {
    ssthresh_ = std::max(window_ / 2, 2.0 * static_cast<double>(config_.mss));
    window_ = static_cast<double>(config_.mss);
    slow_start_ = true;
}

void Ledbat::clamp() {
    window_ = std::clamp(window_, static_cast<double>(config_.mss),
                         static_cast<double>(std::max(config_.max_window, config_.mss)));
}

void RttEstimator::on_sample(std::uint64_t rtt_us) {
    if (!has_sample_) {
        has_sample_ = true;
        rtt_ = rtt_us;
        rtt_var_ = rtt_us / 2;
        return;
    }
    const auto rtt = static_cast<std::int64_t>(rtt_);
    const auto sample = static_cast<std::int64_t>(rtt_us);
    const auto var = static_cast<std::int64_t>(rtt_var_);
    const std::int64_t delta = rtt - sample;
    rtt_var_ = static_cast<std::uint64_t>(var + (std::llabs(delta) - var) / 4);
    rtt_ = static_cast<std::uint64_t>(rtt + (sample - rtt) / 8);
}

void RttEstimator::on_timeout() {
    // Past 2^16 times the floor every cap in use has long been reached.
    if (backoff_ < 16)
        ++backoff_;
}

std::uint64_t RttEstimator::rto() const {
    const std::uint64_t base =
        has_sample_ ? std::max(rtt_ + 4 * rtt_var_, config_.min_rto_us) : config_.initial_rto_us;
    if (base >= (config_.max_rto_us >> backoff_))
        return config_.max_rto_us;
    return base << backoff_;
}

}  // namespace shoal::utp
