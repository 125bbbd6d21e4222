#pragma once
// NAT-PMP (RFC 6886) messages: the requests a client sends, encoded, and the router's
// responses, parsed with every field checked. Responses come from the network, so nothing in
// them is trusted: the version must be 0, the opcode 128 plus the request's, the length exactly
// what the opcode takes, and the sender the gateway's port 5351. Pure functions.

#include <array>
#include <boost/asio/ip/address_v4.hpp>
#include <boost/asio/ip/udp.hpp>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace shoal::port_mapping::natpmp {

inline constexpr std::uint16_t k_server_port = 5351;
inline constexpr std::uint8_t k_version = 0;

enum class Op : std::uint8_t { public_address = 0, map_udp = 1, map_tcp = 2 };

// The result codes of RFC 6886 section 3.5.
enum class ResultCode : std::uint16_t {
    success = 0,
    unsupported_version = 1,
    not_authorized = 2,   // refused: mapping is off, or this client may not map
    network_failure = 3,  // e.g. the router has no external address yet
    out_of_resources = 4,
    unsupported_opcode = 5,
};
// "Success", "UnsupportedVersion", ..., or "result code N" for others.
std::string result_name(std::uint16_t code);

struct PublicAddressResponse {
    std::uint16_t result = 0;
    std::uint32_t epoch = 0;              // seconds since the router's mappings were last lost
    boost::asio::ip::address_v4 address;  // unspecified unless result is success
};

struct MappingResponse {
    Op op = Op::map_tcp;
    std::uint16_t result = 0;
    std::uint32_t epoch = 0;
    std::uint16_t internal_port = 0;
    std::uint16_t external_port = 0;
    std::uint32_t lifetime = 0;  // seconds the mapping lasts; 0 when it was deleted
};

std::array<std::uint8_t, 2> encode_public_address_request();
// A mapping request; lifetime 0 (and suggested port 0) deletes the mapping.
std::array<std::uint8_t, 12> encode_mapping_request(Op op, std::uint16_t internal_port,
                                                    std::uint16_t suggested_external_port,
                                                    std::uint32_t lifetime);

// The response to a public address request, from `from`; an error names what is wrong. An
// error response (nonzero result) may be the 8-byte header alone.
Result<PublicAddressResponse> parse_public_address_response(
    std::span<const std::uint8_t> datagram, const boost::asio::ip::udp::endpoint& from,
    const boost::asio::ip::address_v4& gateway);

// The response to a mapping request of kind `op`.
Result<MappingResponse> parse_mapping_response(std::span<const std::uint8_t> datagram,
                                               const boost::asio::ip::udp::endpoint& from,
                                               const boost::asio::ip::address_v4& gateway, Op op);

}  // namespace shoal::port_mapping::natpmp
