#pragma once
// IP addresses: parsing, printing, v4-mapped normalisation, and which address a
// request really came from when a trusted reverse proxy sits in front.

#include <boost/asio/ip/address.hpp>

#include <sys/socket.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tracker/types.hpp"

namespace shoal::tracker {

struct ListenAddress {
    std::string host;
    std::uint16_t port = 0;
};

bool is_disabled(std::string_view listen);  // "" or "off"
// "HOST:PORT" or "[V6]:PORT"; port 0 means "pick one".
std::optional<ListenAddress> parse_listen_address(std::string_view text);

// An IPv4-mapped IPv6 address becomes plain IPv4.
IpAddress from_asio(const boost::asio::ip::address& a);
// A socket address as received; IPv4-mapped IPv6 becomes IPv4. False for other families.
bool endpoint_from_sockaddr(const sockaddr_storage& ss, PeerEndpoint& out);
std::optional<IpAddress> parse_ip(std::string_view text);
std::string format_ip(const IpAddress& a);

// The client's address: `peer` unless `peer` is a trusted proxy that named the client in
// X-Real-IP or (last entry of) X-Forwarded-For.
IpAddress client_address(const IpAddress& peer, std::string_view x_real_ip,
                         std::string_view x_forwarded_for,
                         const std::vector<IpAddress>& trusted_proxies);

}  // namespace shoal::tracker
