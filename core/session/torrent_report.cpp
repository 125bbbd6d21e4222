#include "session/torrent_report.hpp"

#include <algorithm>

namespace shoal::report {

std::string address_text(const boost::asio::ip::tcp::endpoint& e) {
    const std::string host = e.address().to_string();
    return (e.address().is_v6() ? "[" + host + "]" : host) + ":" + std::to_string(e.port());
}

TorrentStats torrent_stats(TorrentState state, const TorrentInfo& info, const TorrentPieces& pieces,
                           const TorrentPeers* peers, const Transferred& transferred) {
    TorrentStats s;
    s.state = state;
    s.total_wanted = pieces.wanted_bytes();
    s.total_wanted_done = pieces.had_bytes();
    s.pieces_have = static_cast<std::int64_t>(pieces.pieces_had());
    s.num_pieces = info.num_pieces;
    s.downloaded = transferred.downloaded;
    s.uploaded = transferred.uploaded_to_gone;
    if (peers) {
        for (const auto& p : *peers) {
            s.download_rate += p->stats().download_rate;
            s.upload_rate += p->stats().upload_rate;
            s.uploaded += p->stats().uploaded;
            ++s.peers;
            if (p->is_seed()) ++s.seeds;
            if (p->encrypted()) ++s.encrypted_peers;
            if (p->transport() == net::Transport::utp) ++s.utp_peers;
        }
    }
    s.all_time_uploaded = transferred.earlier_uploaded + s.uploaded;
    s.all_time_downloaded = transferred.earlier_downloaded + s.downloaded;
    return s;
}

PeerInfo describe_peer(const PeerConnection& p, bool we_dialed, std::int64_t num_pieces) {
    PeerInfo info;
    info.address = address_text(p.endpoint());
    info.client = p.client();
    if (p.am_interested()) info.flags += p.peer_choking() ? 'd' : 'D';
    if (p.peer_interested()) info.flags += p.am_choking() ? 'u' : 'U';
    if (p.snubbed()) info.flags += 'S';
    if (!we_dialed) info.flags += 'I';
    if (p.encrypted())
        info.flags += 'E';
    else if (p.encrypted_handshake())
        info.flags += 'e';
    if (p.transport() == net::Transport::utp) info.flags += 'P';
    info.encrypted = p.encrypted();
    info.transport = net::transport_name(p.transport());
    info.progress = static_cast<double>(p.pieces().count()) / static_cast<double>(std::max<std::int64_t>(1, num_pieces));
    info.download_rate = p.stats().download_rate;
    info.upload_rate = p.stats().upload_rate;
    return info;
}

}  // namespace shoal::report
