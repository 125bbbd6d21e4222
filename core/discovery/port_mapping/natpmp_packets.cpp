#include "discovery/port_mapping/natpmp_packets.hpp"

namespace shoal::port_mapping::natpmp {

namespace {

constexpr std::size_t k_header = 8;  // version, opcode, result code, epoch
constexpr std::size_t k_public_address_length = 12;
constexpr std::size_t k_mapping_length = 16;

std::uint16_t read16(std::span<const std::uint8_t> b, std::size_t at) {
    return static_cast<std::uint16_t>(b[at] << 8 | b[at + 1]);
}

std::uint32_t read32(std::span<const std::uint8_t> b, std::size_t at) {
    return static_cast<std::uint32_t>(b[at]) << 24 | static_cast<std::uint32_t>(b[at + 1]) << 16 |
           static_cast<std::uint32_t>(b[at + 2]) << 8 | b[at + 3];
}

void write16(std::uint8_t* at, std::uint16_t v) {
    at[0] = static_cast<std::uint8_t>(v >> 8);
    at[1] = static_cast<std::uint8_t>(v);
}

void write32(std::uint8_t* at, std::uint32_t v) {
    write16(at, static_cast<std::uint16_t>(v >> 16));
    write16(at + 2, static_cast<std::uint16_t>(v));
}

// The checks every response shares: the sender, the length, version and opcode.
Result<Done> check_header(std::span<const std::uint8_t> datagram,
                          const boost::asio::ip::udp::endpoint& from,
                          const boost::asio::ip::address_v4& gateway, Op op,
                          std::size_t full_length) {
    if (!from.address().is_v4() || from.address().to_v4() != gateway ||
        from.port() != k_server_port) {
        return make_error(ErrorCode::invalid_input,
                          "NAT-PMP response from " + from.address().to_string() + ":" +
                              std::to_string(from.port()) + ", not the gateway " +
                              gateway.to_string() + ":" + std::to_string(k_server_port));
    }
    if (datagram.size() < k_header) {
        return make_error(ErrorCode::invalid_input,
                          "NAT-PMP response of " + std::to_string(datagram.size()) + " bytes");
    }
    if (datagram[0] != k_version) {
        return make_error(ErrorCode::invalid_input,
                          "NAT-PMP response of version " + std::to_string(datagram[0]));
    }
    const unsigned expected_op = 128u + static_cast<unsigned>(op);
    if (datagram[1] != expected_op) {
        return make_error(ErrorCode::invalid_input,
                          "NAT-PMP response with opcode " + std::to_string(datagram[1]) +
                              ", expected " + std::to_string(expected_op));
    }
    const bool error_header_only = datagram.size() == k_header && read16(datagram, 2) != 0;
    if (datagram.size() != full_length && !error_header_only) {
        return make_error(ErrorCode::invalid_input,
                          "NAT-PMP response of " + std::to_string(datagram.size()) +
                              " bytes, expected " + std::to_string(full_length));
    }
    return Done{};
}

}  // namespace

std::string result_name(std::uint16_t code) {
    switch (static_cast<ResultCode>(code)) {
        case ResultCode::success:
            return "Success";
        case ResultCode::unsupported_version:
            return "UnsupportedVersion";
        case ResultCode::not_authorized:
            return "NotAuthorized";
        case ResultCode::network_failure:
            return "NetworkFailure";
        case ResultCode::out_of_resources:
            return "OutOfResources";
        case ResultCode::unsupported_opcode:
            return "UnsupportedOpcode";
    }
    return "result code " + std::to_string(code);
}

std::array<std::uint8_t, 2> encode_public_address_request() {
    return {k_version, static_cast<std::uint8_t>(Op::public_address)};
}

std::array<std::uint8_t, 12> encode_mapping_request(Op op, std::uint16_t internal_port,
                                                    std::uint16_t suggested_external_port,
                                                    std::uint32_t lifetime) {
    std::array<std::uint8_t, 12> out{};
    out[0] = k_version;
    out[1] = static_cast<std::uint8_t>(op);
    // out[2..3] reserved, zero
    write16(&out[4], internal_port);
    write16(&out[6], suggested_external_port);
    write32(&out[8], lifetime);
    return out;
}

Result<PublicAddressResponse> parse_public_address_response(
    std::span<const std::uint8_t> datagram, const boost::asio::ip::udp::endpoint& from,
    const boost::asio::ip::address_v4& gateway) {
    auto checked =
        check_header(datagram, from, gateway, Op::public_address, k_public_address_length);
    if (!checked) {
        return checked.error();
    }
    PublicAddressResponse r;
    r.result = read16(datagram, 2);
    r.epoch = read32(datagram, 4);
    if (datagram.size() == k_public_address_length) {
        r.address = boost::asio::ip::address_v4(read32(datagram, 8));
    }
    if (r.result == 0 && r.address.is_unspecified()) {
        return make_error(ErrorCode::invalid_input, "NAT-PMP router reports no public address");
    }
    return r;
}

Result<MappingResponse> parse_mapping_response(std::span<const std::uint8_t> datagram,
                                               const boost::asio::ip::udp::endpoint& from,
                                               const boost::asio::ip::address_v4& gateway, Op op) {
    if (op == Op::public_address) {
        return make_error(ErrorCode::invalid_input, "not a mapping opcode");
    }
    auto checked = check_header(datagram, from, gateway, op, k_mapping_length);
    if (!checked) {
        return checked.error();
    }
    MappingResponse r;
    r.op = op;
    r.result = read16(datagram, 2);
    r.epoch = read32(datagram, 4);
    if (datagram.size() == k_mapping_length) {
        r.internal_port = read16(datagram, 8);
        r.external_port = read16(datagram, 10);
        r.lifetime = read32(datagram, 12);
    }
    if (r.result == 0 && r.internal_port == 0) {
        return make_error(ErrorCode::invalid_input, "NAT-PMP response for internal port 0");
    }
    if (r.result == 0 && r.lifetime != 0 && r.external_port == 0) {
        return make_error(ErrorCode::invalid_input, "NAT-PMP mapping to external port 0");
    }
    return r;
}

}  // namespace shoal::port_mapping::natpmp
