#pragma once
// Answers one UDP tracker datagram (BEP 15, 41); no sockets, so tests drive it directly.

#include <cstdint>
#include <functional>
#include <span>
#include <string_view>
#include <vector>

#include "tracker/announce_service.hpp"
#include "tracker/connection_id.hpp"

namespace shoal::tracker {

// Largest reply payload: a 1500-byte MTU less IPv6 (40) and UDP (8) headers.
constexpr std::size_t k_udp_max_reply = 1452;

// The passkey in BEP 41 URL data "/KEY/announce?...", or empty.
std::string_view passkey_from_url_data(std::string_view url_data);

class UdpHandler {
  public:
    using Clock = std::function<std::uint32_t()>;

    UdpHandler(AnnounceService& service, ConnectionIds& ids, Clock clock);

    // Writes the reply to `out`; false when the datagram gets no answer.
    bool handle(std::span<const std::uint8_t> packet, const PeerEndpoint& sender,
                std::vector<std::uint8_t>& out);

  private:
    bool error(std::vector<std::uint8_t>& out, std::uint32_t transaction_id, ErrorKind kind,
               std::string_view message);

    AnnounceService& service_;
    ConnectionIds& ids_;
    Clock clock_;
    std::vector<PeerInfo> peers_;
    std::vector<ScrapeResult> scrape_;
    std::vector<SwarmCounts> counts_;
    std::vector<InfoHash> hashes_;
};

}  // namespace shoal::tracker
