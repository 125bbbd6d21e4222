#include "utp/packet.hpp"

#include <algorithm>
#include <cstring>
#include <string>

namespace shoal::utp {

namespace {

std::uint16_t read16(const std::uint8_t* p) {
    return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}

std::uint32_t read32(const std::uint8_t* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
           std::uint32_t{p[3]};
}

void write16(std::uint8_t* p, std::uint16_t v) {
    p[0] = static_cast<std::uint8_t>(v >> 8);
    p[1] = static_cast<std::uint8_t>(v);
}

void write32(std::uint8_t* p, std::uint32_t v) {
    p[0] = static_cast<std::uint8_t>(v >> 24);
    p[1] = static_cast<std::uint8_t>(v >> 16);
    p[2] = static_cast<std::uint8_t>(v >> 8);
    p[3] = static_cast<std::uint8_t>(v);
}

// libutp sends multiples of 4 bytes, as BEP 29 describes; libtorrent sends as many bytes as
// its out-of-order packets span (1 to 32), so any length up to the cap is taken.
bool valid_sack_length(std::size_t n) {
    return n >= 1 && n <= k_max_sack_bytes;
}

}  // namespace

std::string_view packet_type_name(PacketType type) {
    switch (type) {
        case PacketType::data:
            return "ST_DATA";
        case PacketType::fin:
            return "ST_FIN";
        case PacketType::state:
            return "ST_STATE";
        case PacketType::reset:
            return "ST_RESET";
        case PacketType::syn:
            return "ST_SYN";
    }
    return "unknown";
}

SelectiveAck::SelectiveAck(std::size_t bytes)
    : size_(std::min(k_max_sack_bytes, std::max<std::size_t>(4, (bytes + 3) / 4 * 4))) {}

bool SelectiveAck::test(std::size_t bit) const {
    if (bit >= bit_count())
        return false;
    return (mask_[bit / 8] >> (bit % 8)) & 1;
}

void SelectiveAck::set(std::size_t bit) {
    if (bit < bit_count())
        mask_[bit / 8] = static_cast<std::uint8_t>(mask_[bit / 8] | (1u << (bit % 8)));
}

bool SelectiveAck::operator==(const SelectiveAck& other) const {
    return size_ == other.size_ &&
           std::equal(mask_.begin(), mask_.begin() + size_, other.mask_.begin());
}

bool SelectiveAck::assign(std::span<const std::uint8_t> mask) {
    if (!valid_sack_length(mask.size()))
        return false;
    std::copy(mask.begin(), mask.end(), mask_.begin());
    std::fill(mask_.begin() + mask.size(), mask_.end(), 0);
    size_ = mask.size();
    return true;
}

std::string_view packet_error_message(PacketError error) {
    switch (error) {
        case PacketError::none:
            return "no error";
        case PacketError::too_short:
            return "uTP packet shorter than its 20-byte header";
        case PacketError::bad_version:
            return "uTP packet of an unknown version";
        case PacketError::unknown_type:
            return "uTP packet of an unknown type";
        case PacketError::truncated_extension:
            return "uTP extension header cut short";
        case PacketError::extension_overrun:
            return "uTP extension runs past the packet";
        case PacketError::bad_sack_length:
            return "uTP selective ack of an invalid length";
        case PacketError::duplicate_sack:
            return "uTP packet with two selective acks";
        case PacketError::too_many_extensions:
            return "uTP packet with too many extensions";
    }
    return "malformed uTP packet";
}

Error ParsedPacket::to_error() const {
    return make_error(ErrorCode::invalid_input, std::string(packet_error_message(error_)));
}

ParsedPacket parse_packet(std::span<const std::uint8_t> datagram) {
    if (datagram.size() < k_header_size)
        return PacketError::too_short;
    const std::uint8_t* p = datagram.data();
    if ((p[0] & 0x0f) != k_version)
        return PacketError::bad_version;
    const unsigned type = p[0] >> 4;
    if (type > static_cast<unsigned>(PacketType::syn))
        return PacketError::unknown_type;

    Packet packet;
    packet.header.type = static_cast<PacketType>(type);
    packet.header.connection_id = read16(p + 2);
    packet.header.timestamp_us = read32(p + 4);
    packet.header.timestamp_difference_us = read32(p + 8);
    packet.header.wnd_size = read32(p + 12);
    packet.header.seq_nr = read16(p + 16);
    packet.header.ack_nr = read16(p + 18);

    // Each link names the type of the one after it; the header names the first.
    std::uint8_t next = p[1];
    std::size_t at = k_header_size;
    std::size_t links = 0;
    while (next != k_extension_none) {
        if (++links > k_max_extensions)
            return PacketError::too_many_extensions;
        if (datagram.size() - at < 2)
            return PacketError::truncated_extension;
        const std::uint8_t kind = next;
        next = p[at];
        const std::size_t length = p[at + 1];
        at += 2;
        if (datagram.size() - at < length)
            return PacketError::extension_overrun;
        if (kind == k_extension_sack) {
            if (packet.has_sack)
                return PacketError::duplicate_sack;
            if (!packet.sack.assign(datagram.subspan(at, length)))
                return PacketError::bad_sack_length;
            packet.has_sack = true;
        }
        // Unknown extensions are skipped, as BEP 29 asks.
        at += length;
    }
    packet.payload = datagram.subspan(at);
    return packet;
}

std::size_t encoded_size(const SelectiveAck* sack, std::size_t payload_size) {
    return k_header_size + (sack ? 2 + sack->size_bytes() : 0) + payload_size;
}

std::size_t encode_packet(const PacketHeader& header, const SelectiveAck* sack,
                          std::span<const std::uint8_t> payload, std::span<std::uint8_t> out) {
    const std::size_t total = encoded_size(sack, payload.size());
    if (out.size() < total)
        return 0;
    std::uint8_t* p = out.data();
    p[0] = static_cast<std::uint8_t>((static_cast<unsigned>(header.type) << 4) | k_version);
    p[1] = sack ? k_extension_sack : k_extension_none;
    write16(p + 2, header.connection_id);
    write32(p + 4, header.timestamp_us);
    write32(p + 8, header.timestamp_difference_us);
    write32(p + 12, header.wnd_size);
    write16(p + 16, header.seq_nr);
    write16(p + 18, header.ack_nr);
    std::size_t at = k_header_size;
    if (sack) {
        p[at] = k_extension_none;
        p[at + 1] = static_cast<std::uint8_t>(sack->size_bytes());
        at += 2;
        const auto mask = sack->bytes();
        std::memcpy(p + at, mask.data(), mask.size());
        at += mask.size();
    }
    if (!payload.empty())
        std::memcpy(p + at, payload.data(), payload.size());
    return total;
}

}  // namespace shoal::utp
