#pragma once
// The engine: one network thread that owns every torrent and peer, a disk pool, a listening
// socket, and typed events out in batches. Every method is safe to call from any thread.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <atomic>
#include <functional>
#include <future>
#include <map>
#include <deque>
#include <memory>
#include <mutex>
#include <thread>

#include "discovery/port_mapping/port_mapper.hpp"
#include "discovery/tracker/tracker_client.hpp"
#include "net/interface_state.hpp"
#include "session/event_queue.hpp"
#include "session/events.hpp"
#include "session/external_address.hpp"
#include "session/listen_sockets.hpp"
#include "session/metadata_fetch.hpp"
#include "session/peer_discovery.hpp"
#include "session/pending_handshakes.hpp"
#include "session/resume_store.hpp"
#include "session/settings.hpp"
#include "session/torrent.hpp"
#include "session/transports.hpp"
#include "storage/disk_pool.hpp"

namespace shoal {

class Session {
public:
    // Starts the network thread and listens; throws std::system_error if the port is taken,
    // std::runtime_error if the listen address or the network interface cannot be used.
    explicit Session(SessionSettings settings);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    TorrentId add_torrent(AddTorrentParams params);
    void remove_torrent(TorrentId id, bool delete_files = false);
    void pause(TorrentId id);
    void resume(TorrentId id);
    void recheck(TorrentId id);
    void set_file_priority(TorrentId id, std::size_t file, int priority);
    void set_torrent_rate_limits(TorrentId id, std::int64_t upload, std::int64_t download);
    // The torrent's own limit on its connections; 0: max_peers_per_torrent.
    void set_torrent_peer_limit(TorrentId id, int peers);
    void add_peer(TorrentId id, const boost::asio::ip::tcp::endpoint& endpoint);
    // A Details event for the torrent follows (peers, trackers, pieces).
    void request_details(TorrentId id);
    void reannounce(TorrentId id);
    void set_trackers(TorrentId id, std::vector<Tier> tiers);
    // Replaces the torrent's web seeds (BEP 19), a magnet link's once its torrent is made.
    void set_web_seeds(TorrentId id, std::vector<std::string> urls);
    void rename_file(TorrentId id, std::size_t file, std::string name);
    // See Torrent::move_storage.
    void move_storage(TorrentId id, std::filesystem::path to, bool move);
    // The session-wide limits, in bytes per second (0: none), from now on.
    void set_rate_limits(std::int64_t upload, std::int64_t download);
    void set_max_peers_per_torrent(int peers);
    void set_max_connections(int connections);
    // Records every torrent's verified pieces in the state folder (stop() does it too).
    void save_resume_data();

    // Events since the last call, oldest first (a torrent's Stats once, its latest: see
    // session/event_queue.hpp).
    std::vector<Event> pop_events();
    // Called (on the network thread) when events arrive after a pop; keep it short, and do
    // not call set_wakeup from it. Once set_wakeup returns, the previous one is not running.
    void set_wakeup(std::function<void()> wakeup);

    std::uint16_t listen_port() const { return listen_port_; }
    // Where peers can reach us: "0.0.0.0:6881 and [::]:6881" (network_state().listening_on).
    std::string listening_on() const { return network_state().listening_on; }
    // How the session is reached (also sent as event::NetworkStatus whenever it changes).
    NetworkState network_state() const;
    // Nodes in the DHT's routing table, as of the last second (0 with the DHT off).
    std::size_t dht_nodes() const { return dht_nodes_.load(); }
    const wire::PeerId& peer_id() const { return peer_id_; }

    // Closes every connection and stops the threads; called by the destructor too.
    void stop();

private:
    void post_to_torrent(TorrentId id, std::function<void(Torrent&)> action);
    // On the network thread: `on_torrent` on the torrent, or `on_fetch` on the parameters a
    // magnet link still fetching its metadata will start with.
    void post_to_torrent_or_fetch(TorrentId id, std::function<void(AddTorrentParams&)> on_fetch,
                                  std::function<void(Torrent&)> on_torrent);
    // With `fetched`, the torrent takes over a magnet link's connections and announcer.
    void start_torrent(TorrentId id, AddTorrentParams params, MetadataFetched* fetched = nullptr);
    // Magnet links (session_magnet.cpp): fetch the metadata, then start the torrent.
    void fetch_metadata(TorrentId id, AddTorrentParams params);
    void on_metadata(TorrentId id, MetadataFetched fetched);
    // Closes what a fetch handed on when no torrent takes it; the announcer tells its trackers we leave.
    void retire(MetadataFetched& fetched);
    // Ends a fetch still under way (false when `id` is none); it tells its trackers we leave.
    bool forget_fetch(TorrentId id);
    // A peer for the torrent (or magnet link) known by this 20-byte hash, from DHT or LSD.
    void on_discovered_peer(const SwarmHash& hash, const boost::asio::ip::tcp::endpoint& peer);
    void emit(Event e);
    boost::asio::awaitable<void> accept_loop(boost::asio::ip::tcp::acceptor& acceptor);
    // An accepted stream (TCP or uTP) starts its handshake, within the pending-handshake limits.
    void take_incoming(std::unique_ptr<net::PeerStream> stream);
    boost::asio::awaitable<void> handle_incoming(std::unique_ptr<net::PeerStream> stream);
    void schedule_tick();
    // Network thread: a port mapping changed; the external port goes to trackers and the DHT.
    void on_port_mapping(const port_mapping::PortMappingStatus& status);
    void set_announce_port(std::uint16_t port);
    void report_external_address(const boost::asio::ip::address& reported, const boost::asio::ip::address& voter);
    // Our listen or announced port at our external address, the listen address (loopback too
    // when that is a wildcard), or an address a peer or tracker lately said it sees us at.
    bool is_own_endpoint(const boost::asio::ip::tcp::endpoint& endpoint) const;
    // The bound device was made anew under its name (a new index): its sockets are bound again.
    void rebind_to_device();
    // Emits NetworkStatus when network_ changed since the last one.
    void publish_network();

    SessionSettings settings_;
    wire::PeerId peer_id_;
    // Shared with each handshake's coroutine, which may outlive the session's members.
    std::shared_ptr<PendingHandshakes> pending_handshakes_;
    ResumeStore resume_;  // outlives the disk pool, whose jobs use it
    boost::asio::io_context io_;
    DiskPool disk_;
    std::unique_ptr<ListenSockets> listeners_;
    boost::asio::steady_timer tick_timer_;
    std::uint16_t listen_port_ = 0;
    std::shared_ptr<RateLimits> global_limits_ = std::make_shared<RateLimits>();  // network thread only
    ConnectionCount connections_;  // network thread only
    tracker_client::TrackerClient tracker_client_;
    std::unique_ptr<Transports> transports_;    // network thread only
    std::unique_ptr<PeerDiscovery> discovery_;  // network thread only
    // The port trackers and the DHT are told: listen_port_, or a mapping's external port.
    std::uint16_t announce_port_ = 0;  // network thread only
    ExternalAddress external_;          // network thread only
    // The last few addresses peers and trackers said they see us at, votes or not (network
    // thread only): enough to know our own endpoint in a peer list before the votes settle.
    static constexpr std::size_t k_reported_addresses = 8;
    std::deque<boost::asio::ip::address> reported_addresses_;
    std::optional<boost::asio::ip::address> dht_address_;  // the DHT's last vote; network thread only
    NetworkState network_;  // network thread only
    mutable std::mutex network_mutex_;
    NetworkState published_network_;  // under network_mutex_
    // Its threads post what they find to the network thread until closing_.
    std::unique_ptr<port_mapping::PortMapper> port_mapper_;
    std::atomic<bool> closing_{false};
    // With settings_.network_interface: whether it can carry traffic, checked every second.
    bool network_up_ = true;  // network thread only
    unsigned interface_index_ = 0;  // the bound device's index when last seen (network thread only)
    void check_interface();
    std::atomic<std::size_t> dht_nodes_{0};
    // What every torrent is given of the session (made once the ports are known); declared
    // before torrents_, which refer to it.
    std::unique_ptr<SessionServices> services_;
    std::map<TorrentId, std::unique_ptr<Torrent>> torrents_;  // network thread only
    struct PendingMagnet {
        AddTorrentParams params;
        std::unique_ptr<MetadataFetch> fetch;
    };
    std::map<TorrentId, PendingMagnet> fetching_;  // network thread only
    std::uint32_t next_id_ = 1;                               // network thread only... and add_torrent
    std::mutex id_mutex_;

    EventQueue events_;
    std::mutex wakeup_mutex_;  // held while the wake-up is set or called
    std::function<void()> wakeup_;

    std::thread thread_;
    bool stopped_ = false;
};

}  // namespace shoal
