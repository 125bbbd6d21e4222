#pragma once
// A magnet link's first phase: finding peers (the link's own, its trackers, and whatever the
// session's DHT, PEX or local discovery report) and fetching the info dictionary from them
// with ut_metadata (BEP 9), checked against the link's info-hashes. Network thread only.

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
#include "metainfo/magnet.hpp"
#include "net/peer_stream.hpp"
#include "wire/handshake.hpp"
#include "wire/metadata_assembler.hpp"

namespace shoal {

class MetadataFetch {
public:
    using tcp = boost::asio::ip::tcp;
    // The verified info dictionary and every peer heard of meanwhile.
    using Done = std::function<void(std::string info_bytes, std::vector<tcp::endpoint> peers)>;
    // A line for the user (a peer failed, a tracker answered).
    using Note = std::function<void(std::string)>;

    static constexpr int k_max_connections = 8;
    // Distinct metadata sizes peers may announce: the true one among liars' is found by
    // assembling each apart and checking it against the info-hash.
    static constexpr std::size_t k_max_sizes = 4;

    MetadataFetch(boost::asio::any_io_executor executor, const MagnetLink& magnet, wire::PeerId peer_id,
                  std::uint16_t listen_port, tracker_client::TrackerTransport& trackers, Done done, Note note);
    ~MetadataFetch();
    MetadataFetch(const MetadataFetch&) = delete;
    MetadataFetch& operator=(const MetadataFetch&) = delete;

    void start();
    // Closes every connection and tells the trackers we leave.
    boost::asio::awaitable<void> shutdown();
    void add_peer(const tcp::endpoint& endpoint);
    // The 20-byte hash the swarm knows the torrent by: v1, else the truncated v2.
    const std::array<std::uint8_t, 20>& wire_info_hash() const { return wire_hash_; }
    std::size_t connections() const { return open_.size(); }

private:
    void connect_more();
    boost::asio::awaitable<void> fetch_from(tcp::endpoint endpoint, std::uint64_t key);
    // Handles one message of a connection; false ends it.
    bool handle(std::uint64_t key, std::string_view body, std::uint8_t& their_id,
                std::string& out);
    void finish(std::string info_bytes);
    // Appends a request for the next metadata piece this connection may fetch, if any.
    void request_more(std::uint64_t key, std::uint8_t their_id, std::string& out);
    // The assembler for the size a peer announced (made on first use), or an error.
    wire::MetadataAssembler& assembler_for(std::uint64_t key, std::int64_t size);

    boost::asio::any_io_executor executor_;
    std::optional<InfoHashV1> v1_;
    std::optional<InfoHashV2> v2_;
    std::array<std::uint8_t, 20> wire_hash_{};
    wire::PeerId peer_id_;
    std::uint16_t listen_port_;
    Done done_;
    Note note_;
    std::unique_ptr<tracker_client::Announcer> announcer_;
    bool announcing_ = false;

    std::map<std::int64_t, wire::MetadataAssembler> assemblers_;  // by announced size
    std::map<std::uint64_t, std::int64_t> size_of_;                 // each connection's size
    std::vector<tcp::endpoint> candidates_;
    std::set<tcp::endpoint> known_;
    std::set<std::uint64_t> open_;
    std::map<std::uint64_t, net::PeerStream*> streams_;
    std::set<boost::asio::ip::address> liars_;
    std::map<std::uint64_t, tcp::endpoint> endpoints_;
    std::uint64_t next_key_ = 1;
    bool finished_ = false;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace shoal
