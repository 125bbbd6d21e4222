#pragma once
// What a torrent reports of itself: its totals, the bytes wanted and done, and each peer as
// the user sees it.

#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <string>

#include "metainfo/torrent_info.hpp"
#include "session/events.hpp"
#include "session/torrent_peers.hpp"
#include "session/torrent_pieces.hpp"
#include "swarm/peer_connection.hpp"

namespace shoal::report {

// "host:port", with brackets around an IPv6 host.
std::string address_text(const boost::asio::ip::tcp::endpoint& endpoint);
// Bytes moved that the connected peers no longer count.
struct Transferred {
    std::int64_t downloaded = 0;
    std::int64_t uploaded_to_gone = 0;  // to peers that have left; the rest is in their stats
    // Of earlier runs, from the resume data.
    std::int64_t earlier_uploaded = 0;
    std::int64_t earlier_downloaded = 0;
};
TorrentStats torrent_stats(TorrentState state, const TorrentInfo& info, const TorrentPieces& pieces,
                           const TorrentPeers* peers, const Transferred& transferred);  // peers: null when none
// A peer's row in the details: flags d/D (we want, choked/unchoked), u/U (it wants, we
// choke/serve), S (snubbed), I (it dialed us).
PeerInfo describe_peer(const PeerConnection& peer, bool we_dialed, std::int64_t num_pieces);

}  // namespace shoal::report
