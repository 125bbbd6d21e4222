#pragma once
// Port mapping: asks the home router to forward a port from its external address to us, so
// that peers on the Internet can connect in. Two protocols, each on a thread of its own with
// blocking calls and timeouts (never on the network thread): UPnP IGD found by an SSDP search
// of our own (ssdp_search, ssdp_messages) and then spoken to through miniupnpc, and NAT-PMP
// (RFC 6886) with a small client of our own (natpmp_client, natpmp_packets). Each maps
// the local port for TCP and UDP, renews at half the lease, tries again after failures (60 s,
// doubling to 15 min) and deletes its mappings on stop().

#include <boost/asio/ip/address_v4.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace shoal::port_mapping {

enum class Protocol { upnp, natpmp };
enum class MappingState { off, discovering, mapped, failed };
// "off", "discovering", "mapped", "failed".
std::string_view state_name(MappingState state);

struct ProtocolStatus {
    MappingState state = MappingState::off;
    std::optional<boost::asio::ip::address_v4> external_address;  // what the router says it is
    std::uint16_t external_tcp_port = 0;                          // 0 until mapped
    std::uint16_t external_udp_port = 0;
    std::string gateway;  // the router found: its address, or the IGD's control URL
    std::string error;    // why the last attempt failed, for people

    bool operator==(const ProtocolStatus&) const = default;
};

struct PortMappingStatus {
    ProtocolStatus upnp;
    ProtocolStatus natpmp;
    // The mapping to announce: NAT-PMP's if mapped, else UPnP's, else none.
    const ProtocolStatus* mapped() const;

    bool operator==(const PortMappingStatus&) const = default;
};

struct PortMapperOptions {
    std::uint16_t local_port = 0;  // mapped for TCP and UDP alike (one port number for both)
    bool upnp = true;
    bool natpmp = true;
    // When set, discovery and requests go out through this device only (SO_BINDTODEVICE /
    // multicast interface), and its IPv4 address is the internal client.
    std::string interface;
    // How long UPnP's SSDP search waits for a gateway (it ends at the first valid answer).
    std::chrono::milliseconds discovery_timeout{2000};
    std::chrono::seconds lease{3600};  // renewed at half of it
    std::string description = "Shoal";
    // The first wait after a failure, doubled after each to at most retry_max.
    std::chrono::seconds retry_initial{60};
    std::chrono::seconds retry_max{15 * 60};
};

class PortMapper {
  public:
    // Called on the mapper's own threads after each change; must be quick and thread-safe.
    using OnChange = std::function<void(const PortMappingStatus&)>;

    // Starts at once.
    PortMapper(PortMapperOptions options, OnChange on_change);
    // Calls stop().
    ~PortMapper();
    PortMapper(const PortMapper&) = delete;
    PortMapper& operator=(const PortMapper&) = delete;

    // Deletes the mappings it made (each protocol bounded to about 3 s) and joins its threads.
    // Idempotent.
    void stop();
    // A copy, from any thread.
    PortMappingStatus status() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace shoal::port_mapping
