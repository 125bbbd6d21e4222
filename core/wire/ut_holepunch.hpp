#pragma once
// ut_holepunch (BEP 55): a peer we are connected to (the relay) introduces two of its peers
// to each other, so that both dial at once over uTP and each NAT lets the other's packets in.

#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace shoal::wire {

enum class HolepunchType : std::uint8_t {
    rendezvous = 0,  // to the relay: introduce me to this endpoint
    connect = 1,     // from the relay: dial this endpoint over uTP now
    error = 2,       // from the relay: the rendezvous cannot be done
};

// The error codes of an `error` message; other values may arrive and are kept as they are.
enum class HolepunchError : std::uint32_t {
    none = 0,
    no_such_peer = 1,   // the endpoint is invalid
    not_connected = 2,  // the relay is not connected to it
    no_support = 3,     // it does not speak ut_holepunch
    no_self = 4,        // it is the relay itself
};

struct HolepunchMessage {
    HolepunchType type = HolepunchType::rendezvous;
    boost::asio::ip::tcp::endpoint endpoint;
    HolepunchError error = HolepunchError::none;
    bool operator==(const HolepunchMessage&) const = default;
};

// What an error code means, for people ("not connected to that peer").
std::string_view holepunch_error_text(HolepunchError error);

// Decodes the payload after the extended id byte: 12 bytes for IPv4, 24 for IPv6, or 4 fewer
// without the error code (as libtorrent sends rendezvous and connect messages; the error is
// then none). Errors: another length, an unknown address type, or an unknown message type
// (the BEP defines three). Encoding always writes the error code, as the BEP says.
Result<HolepunchMessage> decode_holepunch(std::string_view payload);
std::string encode_holepunch(const HolepunchMessage& message);

}  // namespace shoal::wire
