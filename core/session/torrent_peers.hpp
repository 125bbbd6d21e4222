#pragma once
// A torrent's peers: whom it knows of and dials (the peer list, with back-off and bans), which
// connections it keeps (its own and the session's connection limits, one connection per peer),
// whom it uploads to (the choker) and what it tells them of the others (PEX). The torrent
// decides when; this holds the connections and applies those rules. Network thread only.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "session/events.hpp"
#include "session/settings.hpp"
#include "session/transports.hpp"
#include "swarm/choker.hpp"
#include "swarm/holepunch_book.hpp"
#include "swarm/peer_connection.hpp"
#include "swarm/peer_handshake.hpp"
#include "swarm/peer_list.hpp"
#include "swarm/pex_schedule.hpp"
#include "util/alive_flag.hpp"
#include "util/small_random.hpp"

namespace shoal {

// Peers connected across the session's torrents, against SessionSettings::max_connections.
struct ConnectionCount {
    std::size_t open = 0;
};

class TorrentPeers {
public:
    using Peer = std::shared_ptr<PeerConnection>;
    using Endpoint = boost::asio::ip::tcp::endpoint;
    using Address = boost::asio::ip::address;
    using EventSink = std::function<void(Event)>;
    // A dialed peer answered our handshake; the torrent decides whether to attach it.
    using OnDialed = std::function<void(HandshakeDone)>;
    // Whether an endpoint is this session's own (its listen port at one of its addresses).
    using IsUs = std::function<bool(const Endpoint&)>;

    struct Context {
        TorrentId id;
        SwarmId swarm;
        wire::PeerId our_id;
        boost::asio::any_io_executor executor;
        EventSink events;
        // The torrent the connections report to.
        PeerHost& host;
        Transports& transports;
        OnDialed on_dialed;
        IsUs is_us;
    };

    TorrentPeers(const SessionSettings& settings, ConnectionCount& session_count, Context context);
    TorrentPeers(const TorrentPeers&) = delete;
    TorrentPeers& operator=(const TorrentPeers&) = delete;
    // The owner closes every connection first (close_all), while it can still hear them go.
    ~TorrentPeers();

    // A peer heard of (tracker, DHT, PEX, the user); false when it is known, banned, our own
    // endpoint, or the list is full. `utp`: the source says the peer speaks uTP (PEX flags).
    bool add_candidate(const Endpoint& endpoint, bool utp = false);
    // PEX from `from`: its peers join the candidates, and those that speak ut_holepunch may
    // be reached through `from` when they cannot be dialed. True when one was new.
    bool add_from_pex(const PeerConnection& from, const wire::PexMessage& message);
    // Every peer ever dialed becomes a candidate again (after a pause or a recheck).
    void add_dialed_again();
    // The torrent's own limit on its connections (0: the session's max_peers_per_torrent).
    // Lowered below the connections open, those trading least are closed.
    void set_limit(int peers);
    int max_peers() const;
    // Dials the candidates that are due, within the torrent's and the session's limits.
    void connect_more();

    // A connection whose handshake is done joins, unless `accepting` is false, its address is
    // banned, it is ourselves, the limits are full, or it is a second connection with a peer
    // that both sides drop (both keep the one dialed by the greater peer id). `checking`: a
    // peer we dialed is dialed again once the check is done.
    void attach(std::unique_ptr<net::PeerStream> stream, const wire::Handshake& theirs, bool we_dialed,
                bool accepting, bool checking);
    // Connections made by a magnet link's fetch (dialed by us), already moved to the host.
    void adopt(std::vector<Peer> connections);
    // `peer` closed and leaves; a peer we dialed is dialed again later when `redial`. False
    // when it was not one of ours.
    bool remove(PeerConnection& peer, const std::string& reason, bool redial);
    // Closes every connection, each leaving through remove().
    void close_all(const std::string& reason);
    // Binds every connection's socket to `device` again (uTP connections carry on over the
    // session's UDP ports, bound again by the session).
    void rebind_device(const std::string& device);

    // A misbehaviour short of proof; true once the address has enough strikes to be banned.
    bool strike(const Address& address) { return list_.strike(address); }
    // Bans `address` (false if it was already); its connections are closed by close_banned.
    bool ban(const Address& address) { return list_.ban(address); }
    void close_banned(const Address& address, const std::string& reason);

    // The periodic rechoke (SessionSettings::unchoke_slots).
    void rechoke(bool seeding, bool rotate_optimistic);
    // A peer's interest changed: it is unchoked at once if a slot is free, choked if it lost
    // interest.
    void interest_changed(PeerConnection& peer);
    // Tells each peer that speaks ut_pex whom we are connected to (at most once a minute each).
    void exchange_peers();

    // Hole punching (BEP 55, session/torrent_holepunch.cpp), when the host speaks it: as the
    // relay, a rendezvous from `from` gets both peers a connect (or `from` an error); a
    // connect is dialed at once over uTP (unless connected already, or beyond the limits of
    // HolepunchBook); an error is reported as a failed connection.
    void on_holepunch(PeerConnection& from, const wire::HolepunchMessage& message);
    // What the session holds for its peers' uploads, queued and being written, at most.
    static constexpr std::size_t k_session_send_budget = 64 * 1024 * 1024;
    // One connection's share of that budget (SwarmHost::send_allowance), within its limits.
    std::size_t send_allowance() const;

    // Once a second: each connection's timers, and seeds closed when `seeding` (two seeds
    // have nothing to trade).
    void tick(PeerConnection::Clock::time_point now, bool seeding);
    // Connections taken over from a magnet link's fetch learn the torrent, and the pieces the
    // check found (as have messages: BEP 3 allows a bitfield only first).
    void metadata_arrived(const std::vector<std::uint8_t>& have);
    void send_have(std::size_t piece);
    void update_interest();
    void fill_requests();
    // In endgame: the block is in, so the other connections asked for it cancel.
    void cancel_elsewhere(const wire::BlockRequest& block, const PeerConnection& sender);
    // Each connection as the user sees it.
    std::vector<PeerInfo> describe(std::int64_t num_pieces) const;

    std::size_t size() const { return peers_.size(); }
    // Nobody left to dial, and no connection to a peer that has something we want.
    bool out_of_sources() const;
    // The connections as they are now: a copy, safe to walk while peers close.
    std::vector<Peer> list() const { return {peers_.begin(), peers_.end()}; }
    auto begin() const { return peers_.begin(); }
    auto end() const { return peers_.end(); }

private:
    struct Admission {
        bool admit = false;
        Peer replaces;
    };
    Admission admit(const wire::PeerId& their_id, bool we_dialed) const;
    void add(const Peer& peer);
    bool session_has_room(std::size_t more) const;
    bool connected_to(const Endpoint& endpoint) const;
    // How many more peers may be dialed now, under the torrent's and the session's limits.
    std::size_t dial_room() const;
    bool is_us(const Endpoint& endpoint) const { return context_.is_us && context_.is_us(endpoint); }
    void spawn_dial(PeerList::Candidate candidate, Transports::DialOrder order);
    boost::asio::awaitable<void> dial(PeerList::Candidate candidate, Transports::DialOrder order);
    // After a failed dial: ask the peer that introduced `endpoint` for a rendezvous.
    void ask_for_rendezvous(const Endpoint& endpoint);
    void relay(PeerConnection& initiator, const Endpoint& target);
    void dial_holepunched(const PeerConnection& relay, const Endpoint& endpoint);
    static choker::PeerSnapshot snapshot(const PeerConnection& peer);

    const SessionSettings& settings_;
    ConnectionCount& session_count_;
    Context context_;
    PeerList list_;
    PexSchedule pex_schedule_;
    HolepunchBook holepunch_;
    std::set<Peer> peers_;
    std::optional<choker::PeerKey> optimistic_;
    int limit_ = 0;  // connections at most; 0: SessionSettings::max_peers_per_torrent
    SmallRandom rng_;
    // Dials under way check it before they touch this.
    AliveFlag alive_;
};

}  // namespace shoal
