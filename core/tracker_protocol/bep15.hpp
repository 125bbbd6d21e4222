#pragma once
// The constants of BEP 15, the UDP tracker protocol, shared by the tracker and its clients.

#include <cstddef>
#include <cstdint>

namespace shoal::tracker_protocol {

// The magic number that opens every connect request.
inline constexpr std::uint64_t k_udp_protocol_id = 0x41727101980ull;
// BEP 15: "up to about 74 torrents can be scraped at once" (what fits a 1500-byte datagram).
inline constexpr std::size_t k_udp_max_scrape_hashes = 74;
// The most BEP 41 URL data the tracker keeps from one announce.
inline constexpr std::size_t k_udp_max_url_data = 1024;

// The action field of every packet.
enum class UdpAction : std::uint32_t { connect = 0, announce = 1, scrape = 2, error = 3 };

}  // namespace shoal::tracker_protocol
