#include "discovery/dht/node_id_rules.hpp"

#include <array>

#include <boost/crc.hpp>

namespace shoal::dht {
namespace {

// CRC-32C (Castagnoli), reflected, as BEP 42 uses.
using Crc32c = boost::crc_optimal<32, 0x1EDC6F41, 0xFFFFFFFF, 0xFFFFFFFF, true, true>;

std::uint32_t id_prefix_hash(const Address& address, std::uint8_t r) {
    static constexpr std::array<std::uint8_t, 4> v4_mask{0x03, 0x0f, 0x3f, 0xff};
    static constexpr std::array<std::uint8_t, 8> v6_mask{0x01, 0x03, 0x07, 0x0f,
                                                         0x1f, 0x3f, 0x7f, 0xff};
    std::array<std::uint8_t, 8> ip{};
    std::size_t octets = 0;
    if (address.is_v4()) {
        const auto bytes = address.to_v4().to_bytes();
        octets = 4;
        for (std::size_t i = 0; i < octets; ++i)
            ip[i] = bytes[i] & v4_mask[i];
    } else {
        const auto bytes = address.to_v6().to_bytes();
        octets = 8;
        for (std::size_t i = 0; i < octets; ++i)
            ip[i] = bytes[i] & v6_mask[i];
    }
    ip[0] |= static_cast<std::uint8_t>((r & 0x7) << 5);
    Crc32c crc;
    crc.process_bytes(ip.data(), octets);
    return crc.checksum();
}

}  // namespace

bool is_exempt_address(const Address& address) {
    if (address.is_v4()) {
        const auto b = address.to_v4().to_bytes();
        return b[0] == 10 || b[0] == 127 || (b[0] == 172 && (b[1] & 0xf0) == 16) ||
               (b[0] == 192 && b[1] == 168) || (b[0] == 169 && b[1] == 254) || b[0] == 0;
    }
    const auto v6 = address.to_v6();
    if (v6.is_v4_mapped())
        return is_exempt_address(boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, v6));
    const auto b = v6.to_bytes();
    return v6.is_loopback() || v6.is_unspecified() || v6.is_link_local() || (b[0] & 0xfe) == 0xfc;
}

NodeId node_id_for_address(const Address& external, std::uint8_t r, std::mt19937_64& rng) {
    NodeId id = random_node_id(rng);
    const std::uint32_t crc = id_prefix_hash(external, r);
    id.bytes[0] = static_cast<std::uint8_t>(crc >> 24);
    id.bytes[1] = static_cast<std::uint8_t>(crc >> 16);
    id.bytes[2] = static_cast<std::uint8_t>(((crc >> 8) & 0xf8) | (id.bytes[2] & 0x7));
    id.bytes[19] = r;
    return id;
}

bool node_id_matches_address(const NodeId& id, const Address& address) {
    if (is_exempt_address(address))
        return true;
    const std::uint32_t crc = id_prefix_hash(address, id.bytes[19]);
    return id.bytes[0] == static_cast<std::uint8_t>(crc >> 24) &&
           id.bytes[1] == static_cast<std::uint8_t>(crc >> 16) &&
           (id.bytes[2] & 0xf8) == static_cast<std::uint8_t>((crc >> 8) & 0xf8);
}

}  // namespace shoal::dht
