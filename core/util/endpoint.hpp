#pragma once
// "HOST:PORT" and "[IPv6]:PORT" as users and magnet links write them.

#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace shoal {

struct HostPort {
    std::string host;  // without the brackets of an IPv6 address
    std::uint16_t port = 0;
};

// Splits at the last colon; errors say "is not HOST:PORT" or "has an invalid port" (1-65535).
Result<HostPort> split_host_port(std::string_view text);

// An endpoint when the host is an IP address (no name is looked up); nullopt otherwise.
std::optional<boost::asio::ip::tcp::endpoint> parse_ip_endpoint(std::string_view text);

// An address in network byte order, as protocols carry it: 4 bytes IPv4, 16 bytes IPv6;
// nullopt for any other length.
std::optional<boost::asio::ip::address> address_from_bytes(std::string_view bytes);

}  // namespace shoal
