#pragma once
// Which peers we upload to: a function of the peers' state, so it is decided the same way
// whatever the peers are (connections, or plain values in tests).

#include <chrono>
#include <cstddef>
#include <optional>
#include <set>
#include <vector>

#include "util/small_random.hpp"

namespace shoal::choker {

using Clock = std::chrono::steady_clock;
// Identifies a peer within one decision (the torrent uses its connection's address).
using PeerKey = const void*;

// A recently unchoked peer keeps its slot this long while seeding.
inline constexpr std::chrono::seconds k_seeding_unchoke_hold{30};

struct PeerSnapshot {
    PeerKey key = nullptr;
    bool interested = false;   // the peer wants data from us
    bool am_choking = true;
    bool is_open = true;
    Clock::time_point last_unchoked{};
    double download_rate = 0;  // what it gives us, bytes per second
};

struct Decision {
    std::set<PeerKey> unchoke;  // every other peer is choked
    std::optional<PeerKey> optimistic;
};

// The regular rechoke. Interested peers are ranked: downloading, by what they give us;
// seeding, recently unchoked ones keep their slot for a while, then those that waited longest
// go first, so every leech is served in rotation. The best `slots` are unchoked, plus one
// optimistic unchoke among the rest, drawn anew when `rotate_optimistic`, or when the current
// one is gone, closed or no longer interested.
Decision rechoke(std::vector<PeerSnapshot> peers, std::size_t slots, bool seeding, Clock::time_point now,
                 bool rotate_optimistic, std::optional<PeerKey> optimistic, SmallRandom& rng);

// A peer's interest changed: whether to choke it (true), unchoke it (false) or leave it
// (nullopt). An interested peer is unchoked at once while `unchoked` (peers unchoked now)
// leaves room among the slots and the optimistic one; one that lost interest is choked.
std::optional<bool> on_interest(const PeerSnapshot& peer, std::size_t unchoked, std::size_t slots);

}  // namespace shoal::choker
