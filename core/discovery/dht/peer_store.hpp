#pragma once
// Peers that announced themselves to us (announce_peer), bounded in torrents and peers per
// torrent, forgotten 30 minutes after their last announce. One entry per address and torrent,
// as in the widely used BEP 5 implementations: a host announcing again (on any port) replaces
// its entry, so it cannot fill a torrent's slots with ports of its choosing and have us point
// a swarm at somebody else.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <random>
#include <vector>

#include "discovery/dht/node_id.hpp"

namespace shoal::dht {

struct PeerStoreLimits {
    std::size_t max_torrents = 2000;
    std::size_t max_peers_per_torrent = 500;
    // Peers handed out in one get_peers reply; keeps the reply inside one datagram (IPv6
    // replies carry at most 40 whatever this says).
    std::size_t max_peers_per_reply = 100;
    std::chrono::seconds peer_lifetime{30 * 60};
};

class PeerStore {
  public:
    explicit PeerStore(PeerStoreLimits limits = {}) : limits_(limits) {}

    // Records `peer` for `hash`, replacing (and refreshing) any entry with its address. False
    // when a limit refused it.
    bool add(const SwarmHash& hash, const Endpoint& peer, TimePoint now);
    // Up to max_peers_per_reply live peers of `hash` in the address family of `v6`, a random
    // choice when there are more.
    std::vector<Endpoint> get(const SwarmHash& hash, bool v6, TimePoint now,
                              std::mt19937_64& rng) const;
    // Drops expired peers and torrents left without peers.
    void expire(TimePoint now);

    // Torrents with at least one stored peer (expired ones included until expire()).
    std::size_t torrent_count() const { return torrents_.size(); }
    // Peers stored for `hash`.
    std::size_t peer_count(const SwarmHash& hash) const;

  private:
    struct Entry {
        std::uint16_t port;
        TimePoint seen;  // last announce
    };
    using Peers = std::map<Address, Entry>;
    PeerStoreLimits limits_;
    std::map<SwarmHash, Peers> torrents_;
};

}  // namespace shoal::dht
