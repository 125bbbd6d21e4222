#pragma once
// Fetching the BEP 52 piece layers a torrent did not carry: which peers are asked for which
// chunk (a few requests open per peer at once), what their answers unblock, and the piece
// hashes learnt that way. Peers are opaque keys; sending is the caller's, and the time is
// passed in.

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <vector>

#include "metainfo/torrent_info.hpp"
#include "swarm/piece_layers.hpp"
#include "wire/messages.hpp"

namespace shoal {

class PieceLayerFetcher {
public:
    using Peer = void*;
    using Send = std::function<void(Peer, const wire::HashRequest&)>;
    using Clock = std::chrono::steady_clock;
    static constexpr int k_requests_per_peer = 2;
    // A request unanswered this long counts as refused (like libtorrent's request timeout),
    // so a peer that never answers cannot hold a chunk, or its own slots, forever.
    static constexpr std::chrono::seconds k_request_timeout{30};

    // With `fetch_missing` false (a hybrid, whose v1 hashes suffice) nothing is fetched.
    PieceLayerFetcher(const TorrentInfo& torrent, bool fetch_missing);

    bool complete() const { return layers_.complete(); }
    // Answers a peer's hash request from the layers we know, or nullopt to reject it.
    std::optional<std::vector<Sha256Hash>> answer(const wire::HashRequest& request) { return layers_.answer(request); }
    // Pieces of files whose layer is still missing: they cannot be checked, so wait for it.
    std::vector<std::size_t> pieces_without_hashes() const;
    // A v2 piece's hash from a layer fetched from peers (nullopt when the torrent carried
    // the layer or it is not fetched yet).
    std::optional<Sha256Hash> fetched_piece_hash(std::size_t piece) const;

    // The peer may be sent hash requests from now on.
    void peer_ready(Peer peer);
    void peer_gone(Peer peer);
    // First treats requests past their deadline as refused; then sends each ready peer
    // requests for chunks nobody is asked for, up to its share.
    void request(Clock::time_point now, const Send& send);
    // A peer's answer: the pieces whose hashes it completed (now checkable), or why the
    // answer was refused. An answer that comes after its request timed out is ignored.
    Result<std::vector<std::size_t>> on_hashes(Peer peer, const wire::Hashes& hashes);
    // A peer refused a request: the chunk goes to someone else, and the peer is not asked again.
    void on_reject(Peer peer, const wire::HashRequest& request);

private:
    struct Ask {
        wire::HashRequest request;
        Clock::time_point deadline;
    };
    struct PeerAsks {
        bool refused = false;  // refused or let a request time out: not asked again
        std::vector<Ask> open;
        std::vector<wire::HashRequest> timed_out;  // at most k_requests_per_peer
    };

    std::vector<std::size_t> pieces_of(std::size_t file) const;
    void expire(Clock::time_point now);

    const TorrentInfo& torrent_;
    PieceLayers layers_;
    std::map<Peer, PeerAsks> asks_;  // the peers ready for hash requests
};

}  // namespace shoal
