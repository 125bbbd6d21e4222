#include "discovery/dht/peer_store.hpp"

#include <algorithm>

namespace shoal::dht {
namespace {

constexpr std::size_t k_max_v6_peers_per_reply = 40;

}  // namespace

bool PeerStore::add(const SwarmHash& hash, const Endpoint& peer, TimePoint now) {
    auto it = torrents_.find(hash);
    if (it == torrents_.end()) {
        if (torrents_.size() >= limits_.max_torrents) {
            expire(now);
            if (torrents_.size() >= limits_.max_torrents)
                return false;
        }
        it = torrents_.emplace(hash, Peers{}).first;
    }
    auto& peers = it->second;
    if (auto p = peers.find(peer.address()); p != peers.end()) {
        p->second = Entry{peer.port(), now};
        return true;
    }
    if (peers.size() >= limits_.max_peers_per_torrent) {
        // Make room by evicting the stalest peer, but only if it has expired: newcomers
        // must not push out peers that keep announcing.
        auto oldest = std::min_element(peers.begin(), peers.end(), [](auto& a, auto& b) {
            return a.second.seen < b.second.seen;
        });
        if (now - oldest->second.seen < limits_.peer_lifetime)
            return false;
        peers.erase(oldest);
    }
    peers.emplace(peer.address(), Entry{peer.port(), now});
    return true;
}

std::vector<Endpoint> PeerStore::get(const SwarmHash& hash, bool v6, TimePoint now,
                                     std::mt19937_64& rng) const {
    std::vector<Endpoint> out;
    auto it = torrents_.find(hash);
    if (it == torrents_.end())
        return out;
    for (const auto& [address, entry] : it->second) {
        if (now - entry.seen < limits_.peer_lifetime && address.is_v6() == v6)
            out.emplace_back(address, entry.port);
    }
    // An IPv6 peer takes 21 bytes in a reply, an IPv4 one 8: keep either inside 1500 bytes.
    const std::size_t cap = v6 ? std::min(limits_.max_peers_per_reply, k_max_v6_peers_per_reply)
                               : limits_.max_peers_per_reply;
    if (out.size() > cap) {
        std::shuffle(out.begin(), out.end(), rng);
        out.resize(cap);
    }
    return out;
}

void PeerStore::expire(TimePoint now) {
    for (auto t = torrents_.begin(); t != torrents_.end();) {
        auto& peers = t->second;
        std::erase_if(peers, [&](auto& p) { return now - p.second.seen >= limits_.peer_lifetime; });
        t = peers.empty() ? torrents_.erase(t) : std::next(t);
    }
}

std::size_t PeerStore::peer_count(const SwarmHash& hash) const {
    auto it = torrents_.find(hash);
    return it == torrents_.end() ? 0 : it->second.size();
}

}  // namespace shoal::dht
