#pragma once
// The BEP 10 extension handshake: which extension messages each side speaks (and under which
// message ids), with the facts that travel alongside (client, listen port, metadata size).

#include <boost/asio/ip/address.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace shoal::wire {

// Our ids for the extension messages we accept; peers address us with these.
constexpr std::uint8_t k_ut_pex_id = 1;
constexpr std::uint8_t k_ut_metadata_id = 2;
constexpr std::uint8_t k_ut_holepunch_id = 3;

// "Shoal 0.1.0", from the build's version.
std::string_view our_client_name();

struct OurExtensions {
    bool ut_metadata = true;
    bool ut_pex = true;
    bool ut_holepunch = false;
    std::optional<std::int64_t> metadata_size;  // when we have the info dictionary
    std::uint16_t listen_port = 0;
    std::int64_t max_requests = 0;  // reqq
    std::optional<boost::asio::ip::address> their_address;  // yourip
};

struct TheirExtensions {
    std::uint8_t ut_metadata = 0;  // their id for it; 0: not spoken
    std::uint8_t ut_pex = 0;
    std::uint8_t ut_holepunch = 0;
    std::optional<std::int64_t> metadata_size;
    std::optional<std::uint16_t> listen_port;
    std::optional<std::int64_t> max_requests;
    std::string client;  // printable, at most 64 bytes
    // Where they see us ("yourip": 4 or 16 bytes; any other length is left out).
    std::optional<boost::asio::ip::address> our_address;
};

std::string encode_extension_handshake(const OurExtensions& ours);
// Unknown keys are ignored; a payload that is no dictionary, or nested too deep, is an error.
Result<TheirExtensions> decode_extension_handshake(std::string_view payload);

}  // namespace shoal::wire
