#pragma once
// What a torrent reports of itself: the bytes wanted and done, and each peer as the user
// sees it.

#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <string>

#include "metainfo/torrent_info.hpp"
#include "session/events.hpp"
#include "swarm/peer_connection.hpp"
#include "swarm/piece_picker.hpp"

namespace shoal::report {

// "host:port", with brackets around an IPv6 host.
std::string address_text(const boost::asio::ip::tcp::endpoint& endpoint);
// Bytes of the pieces wanted (priority above zero, or had anyway); with `done_only`, only
// those we have.
std::int64_t wanted_bytes(const TorrentInfo& info, const PiecePicker& picker, bool done_only);
// Adds a connected peer's rates, upload and seed status to the torrent's totals.
void count_peer(TorrentStats& stats, const PeerConnection& peer);
// A peer's row in the details: flags d/D (we want, choked/unchoked), u/U (it wants, we
// choke/serve), S (snubbed), I (it dialed us).
PeerInfo describe_peer(const PeerConnection& peer, bool we_dialed, std::int64_t num_pieces);

}  // namespace shoal::report
