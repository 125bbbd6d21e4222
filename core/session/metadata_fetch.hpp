#pragma once
// A magnet link's first phase: finding peers (the link's own, its trackers, and whatever the
// session's DHT, PEX or local discovery report) and fetching the info dictionary from them
// with ut_metadata (BEP 9), checked against the link's info-hashes. The connections are
// ordinary peer connections without metadata; once the dictionary is in, they and the
// announcer are handed to the torrent, so peers stay connected and the trackers hear one
// `started`. Network thread only.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "discovery/tracker/announcer.hpp"
#include "encryption/encryption_policy.hpp"
#include "metainfo/magnet.hpp"
#include "session/transports.hpp"
#include "swarm/peer_connection.hpp"
#include "swarm/peer_host.hpp"
#include "swarm/swarm_id.hpp"
#include "util/alive_flag.hpp"
#include "wire/metadata_assembler.hpp"

namespace shoal {

// What a finished fetch hands on.
struct MetadataFetched {
    std::string info_bytes;  // verified against the link's info-hash(es)
    // Every peer heard of meanwhile.
    std::vector<boost::asio::ip::tcp::endpoint> peers;
    // The connections still open, without metadata: the torrent takes them over.
    std::vector<std::shared_ptr<PeerConnection>> connections;
    // Still announcing (its trackers were told `started`); null when the link had no trackers.
    std::unique_ptr<tracker_client::Announcer> announcer;
};

class MetadataFetch final : public SwarmHost {
public:
    using tcp = boost::asio::ip::tcp;
    using Done = std::function<void(MetadataFetched)>;
    // A line for the user (a peer failed, a tracker answered).
    using Note = std::function<void(std::string)>;

    static constexpr int k_max_connections = 8;
    // Distinct metadata sizes peers may announce: the true one among liars' is found by
    // assembling each apart and checking it against the info-hash.
    static constexpr std::size_t k_max_sizes = 4;

    MetadataFetch(boost::asio::any_io_executor executor, Transports& transports, const MagnetLink& magnet,
                  wire::PeerId peer_id, std::uint16_t listen_port, std::uint16_t announce_port,
                  tracker_client::TrackerTransport& trackers, Done done,
                  Note note);
    ~MetadataFetch() override;
    MetadataFetch(const MetadataFetch&) = delete;
    MetadataFetch& operator=(const MetadataFetch&) = delete;

    void start();
    // Closes every connection and tells the trackers we leave.
    boost::asio::awaitable<void> shutdown();
    void add_peer(const tcp::endpoint& endpoint);
    // Once a second: the connections' timeouts, quiet peers, pieces left by others.
    void tick();
    const SwarmId& swarm() const { return swarm_; }
    // How peers are dialed (prefer until set).
    void set_encryption(EncryptionPolicy policy) { encryption_ = policy; }
    std::size_t connections() const { return connections_.size(); }

    // SwarmHost
    const wire::PeerId& our_peer_id() const override { return peer_id_; }
    std::uint16_t listen_port() const override { return listen_port_; }
    // Trackers hear this port from now on (a port mapping's external port).
    void set_announce_port(std::uint16_t port);
    SwarmHash wire_info_hash() const override { return swarm_.wire_hash(); }
    boost::asio::awaitable<void> throttle_upload(std::int64_t) override { co_return; }
    boost::asio::awaitable<void> throttle_download(std::int64_t) override { co_return; }
    void on_peer_closed(PeerConnection& peer, const std::string& reason) override;
    void on_peer_ready(PeerConnection&) override {}
    bool pex_enabled() const override { return false; }
    void on_pex(PeerConnection&, const wire::PexMessage&) override {}
    void on_extension_handshake(PeerConnection& peer) override;
    void on_metadata(PeerConnection& peer, const wire::MetadataMessage& message) override;

private:
    using Key = wire::MetadataAssembler::PeerKey;
    struct Connection {
        Key key = 0;
        std::shared_ptr<PeerConnection> peer;
        std::optional<std::int64_t> size;  // the metadata size it announced
        std::chrono::steady_clock::time_point last_useful;
    };

    void connect_more();
    boost::asio::awaitable<void> dial(tcp::endpoint endpoint);
    void finish(std::string info_bytes);
    // Asks `c` for the next metadata piece it may fetch, up to the per-peer limit.
    void request_more(Connection& c, int limit);
    // The assembler for the size a peer announced (made on first use); null with `why` set.
    wire::MetadataAssembler* assembler_for(std::int64_t size, std::string& why);
    Connection* find(PeerConnection& peer);

    boost::asio::any_io_executor executor_;
    Transports& transports_;
    SwarmId swarm_;
    wire::PeerId peer_id_;
    EncryptionPolicy encryption_ = EncryptionPolicy::prefer;
    std::uint16_t listen_port_;
    Done done_;
    Note note_;
    std::unique_ptr<tracker_client::Announcer> announcer_;

    std::map<std::int64_t, wire::MetadataAssembler> assemblers_;  // by announced size
    std::map<PeerConnection*, Connection> connections_;            // after the handshake
    std::size_t dialing_ = 0;
    std::vector<tcp::endpoint> candidates_;
    std::set<tcp::endpoint> known_;
    std::set<boost::asio::ip::address> liars_;
    Key next_key_ = 1;
    bool finished_ = false;
    AliveFlag alive_;
};

}  // namespace shoal
