#pragma once
// Announce and scrape over UDP (BEP 15, BEP 41), reusing connection ids for a minute.

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/udp.hpp>

#include "discovery/tracker/announce_types.hpp"
#include "net/udp_port.hpp"
#include "util/result.hpp"

namespace shoal::tracker_client {

// Retransmission and limits of the UDP tracker client.
struct UdpTrackerOptions {
    // A request is resent after base_timeout * 2^n without a reply (BEP 15 uses 15 s).
    std::chrono::milliseconds base_timeout{15'000};
    // Sends that may go unanswered before the request fails.
    int max_tries = 3;
    // BEP 15: a client may use a connection id for one minute after receiving it.
    std::chrono::milliseconds connection_id_lifetime{60'000};
    std::size_t max_peers = 2000;
};

// UDP tracker requests for all torrents of a session; remembers connection ids per tracker
// address. Lives on the network thread and must outlive the requests it runs.
//
// Each request has a socket of its own unless the client is given the session's shared UDP
// ports (use_ports): then requests leave from the port the peers and the DHT use, as other
// clients do (one port to map through a NAT, one source a tracker sees), and replies are
// told apart from uTP and DHT datagrams by their sender and transaction id.
class UdpTrackerClient {
  public:
    explicit UdpTrackerClient(UdpTrackerOptions options = {});
    ~UdpTrackerClient();
    UdpTrackerClient(const UdpTrackerClient&) = delete;
    UdpTrackerClient& operator=(const UdpTrackerClient&) = delete;

    // Sends through these ports from now on (either may be null: that family keeps its own
    // sockets). Before the ports start; they must be closed before the client goes.
    void use_ports(net::UdpPort* v4, net::UdpPort* v6);

    // Errors start with "tracker <url>" and never escape as exceptions.
    boost::asio::awaitable<Result<AnnounceResponse>> announce(std::string url,
                                                              AnnounceRequest request);
    // At most k_udp_max_scrape_hashes torrents are scraped; the rest are left out.
    boost::asio::awaitable<Result<ScrapeResponse>> scrape(std::string url,
                                                          std::vector<SwarmHash> hashes);

    // Forgets remembered connection ids (as after a network change).
    void clear_connection_ids() { connection_ids_.clear(); }

  private:
    struct ConnectionId {
        std::uint64_t id = 0;
        std::chrono::steady_clock::time_point received;
    };
    // A request waiting on a shared port for its reply.
    struct Waiting;
    using WaitingKey = std::pair<boost::asio::ip::udp::endpoint, std::uint32_t>;
    // A packet that carries our transaction id, silence until the deadline (nullopt), or a
    // socket error.
    using Received = Result<std::optional<std::vector<std::uint8_t>>>;

    template <class Reply, class Encode, class Decode>
    boost::asio::awaitable<Result<Reply>> request(const std::string& url, Encode encode,
                                                  Decode decode);
    // Sends `packet` to `to` and waits for the reply with `transaction_id`: on `own` when it
    // is open, else on the shared port of the family.
    boost::asio::awaitable<Received> exchange(boost::asio::ip::udp::socket& own,
                                              boost::asio::ip::udp::endpoint to,
                                              std::vector<std::uint8_t> packet,
                                              std::uint32_t transaction_id,
                                              std::chrono::steady_clock::time_point deadline);
    net::UdpPort* port_for(const boost::asio::ip::udp::endpoint& to) const;
    bool on_datagram(std::span<const std::uint8_t> datagram,
                     const boost::asio::ip::udp::endpoint& from);

    UdpTrackerOptions options_;
    net::UdpPort* port_v4_ = nullptr;
    net::UdpPort* port_v6_ = nullptr;
    std::map<WaitingKey, Waiting*> waiting_;
    std::map<boost::asio::ip::udp::endpoint, ConnectionId> connection_ids_;
    std::mt19937 rng_;
};

}  // namespace shoal::tracker_client
