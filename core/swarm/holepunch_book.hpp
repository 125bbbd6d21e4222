#pragma once
// Hole punching (BEP 55) for one torrent, as bookkeeping: which connected peer told us of a
// peer that speaks ut_holepunch (so it can introduce us when we cannot dial that peer), when we
// last asked for an introduction, and which `connect` requests to act on. A relay's connect
// makes us send uTP packets to an address it chose, so those we did not ask for are limited.
// Pure: the time is passed in, nothing is sent here.

#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <vector>
#include <map>
#include <optional>

namespace shoal {

class HolepunchBook {
  public:
    using Endpoint = boost::asio::ip::tcp::endpoint;
    using Clock = std::chrono::steady_clock;

    static constexpr std::size_t k_max_introduced = 2000;
    // One rendezvous per unreachable peer in this time.
    static constexpr std::chrono::seconds k_rendezvous_interval{300};
    // A connect for a peer we asked about within this time answers our rendezvous.
    static constexpr std::chrono::seconds k_answer_wait{30};
    // Connects we did not ask for (we are the target) acted on per window.
    static constexpr std::size_t k_max_unasked_connects = 8;
    static constexpr std::chrono::seconds k_unasked_window{60};

    // `introducer` (a connected peer, by its connection's endpoint) told us of `target`,
    // which it says speaks ut_holepunch. The latest introducer counts.
    void introduced(const Endpoint& target, const Endpoint& introducer);
    // The introducer to ask for a rendezvous with `target`, which we could not dial, unless we
    // asked about it within k_rendezvous_interval or nobody introduced it. Asking is recorded.
    std::optional<Endpoint> rendezvous_due(const Endpoint& target, Clock::time_point now);
    // A relay asks us to dial `target`: true when it answers our own rendezvous, or while
    // connects we did not ask for stay within their budget.
    bool accept_connect(const Endpoint& target, Clock::time_point now);

    std::size_t introduced_count() const { return introducers_.size(); }

  private:
    std::map<Endpoint, Endpoint> introducers_;
    std::map<Endpoint, Clock::time_point> asked_;
    std::vector<Clock::time_point> unasked_connects_;
};

}  // namespace shoal
