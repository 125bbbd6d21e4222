// TorrentPeers: hole punching (BEP 55). A peer behind a NAT that lets nothing in can still be
// reached when both sides send uTP packets to each other at once: each NAT then takes the
// other's packets for answers. A peer connected to both (the relay) tells each where to send.
#include <algorithm>

#include "session/torrent_peers.hpp"
#include "session/torrent_report.hpp"

namespace shoal {

using report::address_text;

namespace {

bool is_peer_at(const PeerConnection& peer, const TorrentPeers::Endpoint& endpoint) {
    return peer.endpoint() == endpoint || peer.listen_endpoint() == endpoint;
}

// Where a peer's NAT lets in the packets of the uTP port it listens on: the connection's own
// end when it came over uTP (the NAT's mapping of that very port), else its address with the
// port it said it listens on.
TorrentPeers::Endpoint holepunch_endpoint(const PeerConnection& peer) {
    if (peer.transport() == net::Transport::utp) return peer.endpoint();
    return peer.listen_endpoint().value_or(peer.endpoint());
}

}  // namespace

bool TorrentPeers::add_from_pex(const PeerConnection& from, const wire::PexMessage& message) {
    bool added = false;
    for (const auto& p : message.added) {
        if (add_candidate(p.endpoint, (p.flags & wire::pex_flag::supports_utp) != 0)) added = true;
        if ((p.flags & wire::pex_flag::holepunch) && from.speaks_holepunch()) {
            holepunch_.introduced(p.endpoint, from.endpoint());
            // Dialed and failed before this introduction arrived: no need to fail once more.
            if (list_.failed(p.endpoint)) ask_for_rendezvous(p.endpoint);
        }
    }
    return added;
}

void TorrentPeers::ask_for_rendezvous(const Endpoint& endpoint) {
    if (!context_.host.holepunch_enabled() || connected_to(endpoint) || is_us(endpoint)) return;
    const auto introducer = holepunch_.rendezvous_due(endpoint, std::chrono::steady_clock::now());
    if (!introducer) return;
    const auto relay = std::find_if(peers_.begin(), peers_.end(), [&](const Peer& p) {
        return p->endpoint() == *introducer && p->speaks_holepunch() && p->is_open();
    });
    if (relay == peers_.end()) return;
    (*relay)->send_holepunch({wire::HolepunchType::rendezvous, endpoint, wire::HolepunchError::none});
    context_.events(event::Notice{context_.id, "hole punch: asked " + address_text((*relay)->endpoint()) +
                                                   " to introduce us to " + address_text(endpoint)});
}

void TorrentPeers::on_holepunch(PeerConnection& from, const wire::HolepunchMessage& message) {
    switch (message.type) {
        case wire::HolepunchType::rendezvous:
            return relay(from, message.endpoint);
        case wire::HolepunchType::connect:
            return dial_holepunched(from, message.endpoint);
        case wire::HolepunchType::error:
            context_.events(event::ConnectFailed{
                context_.id, address_text(message.endpoint),
                "hole punch through " + address_text(from.endpoint()) + ": " +
                    std::string(wire::holepunch_error_text(message.error))});
            return;
    }
}

void TorrentPeers::relay(PeerConnection& initiator, const Endpoint& target) {
    const auto refuse = [&](wire::HolepunchError error) {
        initiator.send_holepunch({wire::HolepunchType::error, target, error});
    };
    const auto& address = target.address();
    if (target.port() == 0 || address.is_unspecified() || address.is_multicast()) {
        return refuse(wire::HolepunchError::no_such_peer);
    }
    if (is_us(target)) return refuse(wire::HolepunchError::no_self);
    const auto found = std::find_if(peers_.begin(), peers_.end(), [&](const Peer& p) {
        return p.get() != &initiator && p->is_open() && is_peer_at(*p, target);
    });
    if (found == peers_.end()) return refuse(wire::HolepunchError::not_connected);
    PeerConnection& other = **found;
    if (!other.speaks_holepunch()) return refuse(wire::HolepunchError::no_support);
    other.send_holepunch({wire::HolepunchType::connect, holepunch_endpoint(initiator), wire::HolepunchError::none});
    initiator.send_holepunch({wire::HolepunchType::connect, holepunch_endpoint(other), wire::HolepunchError::none});
}

void TorrentPeers::dial_holepunched(const PeerConnection& relay, const Endpoint& endpoint) {
    // BEP 55: a connect for a peer we are connected to already is ignored.
    if (connected_to(endpoint) || is_us(endpoint)) return;
    if (dial_room() == 0) return;
    if (!holepunch_.accept_connect(endpoint, std::chrono::steady_clock::now()) || !list_.start_dial(endpoint)) return;
    context_.events(event::Notice{context_.id, "hole punch: " + address_text(relay.endpoint()) +
                                                   " has us dial " + address_text(endpoint) + " over uTP"});
    spawn_dial({endpoint}, Transports::DialOrder::utp_only);
}

}  // namespace shoal
