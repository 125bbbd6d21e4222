#pragma once
// Peer exchange (BEP 11) across a torrent's peers: what each peer that speaks ut_pex is told
// of the others we are connected to, at most once a minute each (see wire::PexTracker).
// Works on snapshots of the peers; sending is the caller's.

#include <boost/asio/ip/tcp.hpp>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "wire/ut_pex.hpp"

namespace shoal {

class PexSchedule {
public:
    using Peer = void*;
    using Endpoint = boost::asio::ip::tcp::endpoint;
    using Clock = wire::PexTracker::Clock;

    struct PeerSnapshot {
        Peer key = nullptr;
        Endpoint endpoint;              // the connection's remote end
        std::optional<Endpoint> listen;  // where it accepts connections, if known
        bool seed = false;
        bool speaks_pex = false;
        bool utp = false;  // connected over uTP: passed on with the supports_utp flag
        bool we_dialed = false;  // passed on as reachable: it accepted our connection
        bool holepunch = false;  // it speaks ut_holepunch (BEP 55): we can relay to it
    };

    // The messages due now, each for the peer named with it.
    std::vector<std::pair<Peer, wire::PexMessage>> update(const std::vector<PeerSnapshot>& peers,
                                                          Clock::time_point now);
    void peer_gone(Peer peer) { trackers_.erase(peer); }

private:
    std::map<Peer, wire::PexTracker> trackers_;
};

}  // namespace shoal
