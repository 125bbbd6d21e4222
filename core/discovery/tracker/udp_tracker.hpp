#pragma once
// Announce and scrape over UDP (BEP 15, BEP 41), reusing connection ids for a minute.

#include <chrono>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/udp.hpp>

#include "discovery/tracker/announce_types.hpp"
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
class UdpTrackerClient {
  public:
    explicit UdpTrackerClient(UdpTrackerOptions options = {});

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
    template <class Reply, class Encode, class Decode>
    boost::asio::awaitable<Result<Reply>> request(const std::string& url, Encode encode,
                                                  Decode decode);

    UdpTrackerOptions options_;
    std::map<boost::asio::ip::udp::endpoint, ConnectionId> connection_ids_;
    std::mt19937 rng_;
};

}  // namespace shoal::tracker_client
