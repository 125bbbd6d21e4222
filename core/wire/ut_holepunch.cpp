#include "wire/ut_holepunch.hpp"

#include "util/endpoint.hpp"
#include "wire/messages.hpp"

namespace shoal::wire {

namespace {

constexpr std::uint8_t k_ipv4 = 0;
constexpr std::uint8_t k_ipv6 = 1;

}  // namespace

std::string_view holepunch_error_text(HolepunchError error) {
    switch (error) {
        case HolepunchError::none: return "no error";
        case HolepunchError::no_such_peer: return "no such peer";
        case HolepunchError::not_connected: return "the relay is not connected to that peer";
        case HolepunchError::no_support: return "that peer does not support hole punching";
        case HolepunchError::no_self: return "that endpoint is the relay itself";
    }
    return "unknown error";
}

Result<HolepunchMessage> decode_holepunch(std::string_view payload) {
    if (payload.size() < 2) return make_error("holepunch message too short");
    const auto type = static_cast<std::uint8_t>(payload[0]);
    if (type > static_cast<std::uint8_t>(HolepunchType::error)) return make_error("unknown holepunch message type");
    const auto address_type = static_cast<std::uint8_t>(payload[1]);
    std::size_t address_bytes = 0;
    if (address_type == k_ipv4) {
        address_bytes = 4;
    } else if (address_type == k_ipv6) {
        address_bytes = 16;
    } else {
        return make_error("unknown holepunch address type");
    }
    // The BEP puts an error code in every message; libtorrent leaves it out of rendezvous and
    // connect messages. Both are taken.
    const std::size_t without_error = 2 + address_bytes + 2;
    if (payload.size() != without_error && payload.size() != without_error + 4) {
        return make_error("holepunch message of the wrong length");
    }
    auto address = address_from_bytes(payload.substr(2, address_bytes));
    if (!address) return make_error("malformed holepunch address");
    // An IPv4-mapped IPv6 address is the IPv4 peer it names, as encode_holepunch sends it.
    if (address->is_v6() && address->to_v6().is_v4_mapped()) {
        address = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address->to_v6());
    }
    const auto port_bytes = payload.substr(2 + address_bytes, 2);
    const auto port = static_cast<std::uint16_t>(static_cast<unsigned char>(port_bytes[0]) << 8 |
                                                 static_cast<unsigned char>(port_bytes[1]));
    HolepunchMessage out;
    out.type = static_cast<HolepunchType>(type);
    out.endpoint = boost::asio::ip::tcp::endpoint(*address, port);
    if (payload.size() > without_error) out.error = static_cast<HolepunchError>(read_u32(payload.data() + without_error));
    return out;
}

std::string encode_holepunch(const HolepunchMessage& message) {
    std::string out;
    out.push_back(static_cast<char>(message.type));
    auto address = message.endpoint.address();
    if (address.is_v6() && address.to_v6().is_v4_mapped()) {
        address = boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, address.to_v6());
    }
    if (address.is_v4()) {
        out.push_back(static_cast<char>(k_ipv4));
        const auto bytes = address.to_v4().to_bytes();
        out.append(bytes.begin(), bytes.end());
    } else {
        out.push_back(static_cast<char>(k_ipv6));
        const auto bytes = address.to_v6().to_bytes();
        out.append(bytes.begin(), bytes.end());
    }
    const auto port = message.endpoint.port();
    out.push_back(static_cast<char>(port >> 8));
    out.push_back(static_cast<char>(port & 0xff));
    append_u32(out, static_cast<std::uint32_t>(message.error));
    return out;
}

}  // namespace shoal::wire
