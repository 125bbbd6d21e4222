#pragma once
// The peers a torrent may dial: candidates with their failures and back-off, those being
// dialed, those ever dialed, redials of dialed peers that dropped us, strikes and bans.
// Pure bookkeeping: the time is passed in, nothing is dialed here.

#include <algorithm>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <set>
#include <vector>

namespace shoal {

class PeerList {
public:
    using Endpoint = boost::asio::ip::tcp::endpoint;
    using Address = boost::asio::ip::address;
    using Clock = std::chrono::steady_clock;

    static constexpr std::size_t k_max_candidates = 2000;
    // A candidate that failed this many times is dropped; before that it waits
    // k_retry_base, then twice as long after each further failure.
    static constexpr int k_max_connect_failures = 5;
    static constexpr std::chrono::seconds k_retry_base{2};
    // A dialed peer that dropped us is dialed again after k_redial_delay, at most
    // k_max_redials times.
    static constexpr int k_max_redials = 10;
    static constexpr std::chrono::seconds k_redial_delay{3};
    static constexpr int k_strikes_to_ban = 2;

    struct Candidate {
        Endpoint endpoint;
        int failures = 0;
        Clock::time_point next_try{};
    };

    // A newly heard-of peer; false when it is banned, known already, has no port, or the
    // list is full.
    bool add(const Endpoint& endpoint);
    // Up to `budget` candidates due at `now`, taken off the list and marked as being dialed
    // (and as dialed once). Candidates banned, being dialed, or for which `connected` says
    // true are dropped without counting against the budget.
    std::vector<Candidate> take_due(Clock::time_point now, std::size_t budget,
                                    const std::function<bool(const Endpoint&)>& connected);
    // Dials `endpoint` now, outside the candidates' order (a hole punch must dial when the
    // relay says): false when it is banned, has no port or is being dialed already. It stops
    // being a candidate and counts as being dialed, and as dialed once.
    bool start_dial(const Endpoint& endpoint);
    // The dial of `endpoint` is over, whatever came of it.
    void dial_ended(const Endpoint& endpoint) { connecting_.erase(endpoint); }
    // The dial failed: a peer that is still starting (or checking its files) may answer
    // later, so it is tried again after a back-off, a bounded number of times.
    void dial_failed(Candidate candidate, Clock::time_point now);
    // A peer we dialed could not be taken now (a recheck began): it is dialed again shortly.
    void refused_dialed_peer(const Endpoint& endpoint, Clock::time_point now);
    // A peer we dialed dropped us while we still need data: it may have been checking its
    // files or restarted, so it is dialed again later, a bounded number of times.
    void dropped(const Endpoint& endpoint, Clock::time_point now);

    // With encryption preferred, this peer only answered a plain handshake: dial it plain.
    void note_plain_only(const Endpoint& endpoint) { plain_only_.insert(endpoint); }
    bool plain_only(const Endpoint& endpoint) const { return plain_only_.contains(endpoint); }

    // This peer speaks uTP (its PEX flags said so, or it connected over uTP): dial it with
    // uTP first. At most k_max_utp_peers are remembered.
    static constexpr std::size_t k_max_utp_peers = 4096;
    void note_utp(const Endpoint& endpoint) {
        if (utp_.size() < k_max_utp_peers) utp_.insert(endpoint);
    }
    bool speaks_utp(const Endpoint& endpoint) const { return utp_.contains(endpoint); }

    // A connection we dialed that came from elsewhere (a magnet link's fetch handed it on).
    void mark_dialed(const Endpoint& endpoint) { tried_.insert(endpoint); }

    // A misbehaviour short of proof; true once the address has enough strikes to be banned.
    bool strike(const Address& address);
    // True when newly banned; its candidates are forgotten.
    bool ban(const Address& address);
    bool banned(const Address& address) const { return banned_.contains(address); }

    bool tried(const Endpoint& endpoint) const { return tried_.contains(endpoint); }
    // A candidate whose dials failed so far (waiting out its back-off).
    bool failed(const Endpoint& endpoint) const {
        return std::any_of(candidates_.begin(), candidates_.end(),
                           [&](const Candidate& c) { return c.endpoint == endpoint && c.failures > 0; });
    }
    // Every endpoint ever dialed (to dial again after a pause or recheck).
    const std::set<Endpoint>& tried_endpoints() const { return tried_; }
    std::size_t connecting() const { return connecting_.size(); }
    const std::vector<Candidate>& candidates() const { return candidates_; }

private:
    std::vector<Candidate> candidates_;
    std::set<Endpoint> connecting_;
    std::set<Endpoint> tried_;
    std::set<Endpoint> plain_only_;
    std::set<Endpoint> utp_;
    std::map<Endpoint, int> redials_;
    std::map<Address, int> strikes_;
    std::set<Address> banned_;
};

}  // namespace shoal
