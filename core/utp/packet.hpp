#pragma once
// uTP packets (BEP 29): the 20-byte version 1 header, its extension chain and the selective
// ack extension. Parsing checks every field and views the datagram without copying; encoding
// writes into a buffer the caller owns.

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "util/result.hpp"

namespace shoal::utp {

constexpr std::uint8_t k_version = 1;
constexpr std::size_t k_header_size = 20;
// Extensions a packet may chain; real packets carry one at most (the selective ack).
constexpr std::size_t k_max_extensions = 4;
// The longest selective ack accepted or written: 128 bytes cover the 1024 packets after the
// first missing one, more than any send window of ours or libtorrent's reaches.
constexpr std::size_t k_max_sack_bytes = 128;
// The largest datagram either side builds: an Ethernet MTU less the IP and UDP headers.
constexpr std::size_t k_max_datagram = 1472;

enum class PacketType : std::uint8_t { data = 0, fin = 1, state = 2, reset = 3, syn = 4 };

std::string_view packet_type_name(PacketType type);

constexpr std::uint8_t k_extension_none = 0;
constexpr std::uint8_t k_extension_sack = 1;

// The fixed header, every field as it crosses the wire.
struct PacketHeader {
    PacketType type = PacketType::data;
    std::uint16_t connection_id = 0;
    std::uint32_t timestamp_us = 0;             // the sender's clock when it sent the packet
    std::uint32_t timestamp_difference_us = 0;  // the sender's latest one-way delay sample
    std::uint32_t wnd_size = 0;                 // bytes the sender can still receive
    std::uint16_t seq_nr = 0;
    std::uint16_t ack_nr = 0;
    bool operator==(const PacketHeader&) const = default;
};

// The selective ack bitmask: bit i (least significant bit of byte 0 first) stands for the
// packet ack_nr + 2 + i.
class SelectiveAck {
  public:
    // A mask of `bytes` bytes, all clear; `bytes` is rounded up to a multiple of 4 and capped
    // at k_max_sack_bytes.
    explicit SelectiveAck(std::size_t bytes = 4);

    std::size_t size_bytes() const { return size_; }
    std::size_t bit_count() const { return size_ * 8; }
    // Bits past the mask read as clear; setting one is ignored.
    bool test(std::size_t bit) const;
    void set(std::size_t bit);
    std::span<const std::uint8_t> bytes() const { return {mask_.data(), size_}; }
    bool operator==(const SelectiveAck& other) const;
    // Takes the mask as received; false, leaving the mask as it was, unless its length is
    // from 1 to k_max_sack_bytes (libtorrent's are not always multiples of 4).
    bool assign(std::span<const std::uint8_t> mask);

  private:
    std::array<std::uint8_t, k_max_sack_bytes> mask_{};
    std::size_t size_ = 0;
};

// A parsed packet; `payload` views the datagram it was parsed from.
struct Packet {
    PacketHeader header;
    bool has_sack = false;
    SelectiveAck sack;
    std::span<const std::uint8_t> payload;
};

// Why a datagram is not a packet.
enum class PacketError : std::uint8_t {
    none,
    too_short,            // shorter than the header
    bad_version,          // not version 1
    unknown_type,         // a type above ST_SYN
    truncated_extension,  // the chain ends before an extension's two-byte head
    extension_overrun,    // an extension's length runs past the datagram
    bad_sack_length,      // a selective ack of 0 bytes, or too long
    duplicate_sack,       // two selective acks in one chain
    too_many_extensions,  // more than k_max_extensions links
};

std::string_view packet_error_message(PacketError error);

// The outcome of parse_packet: a packet or the first rule the datagram broke. It allocates
// nothing either way, so a flood of garbage costs no more than reading it.
class [[nodiscard]] ParsedPacket {
  public:
    ParsedPacket(Packet packet) : packet_(packet) {}
    ParsedPacket(PacketError error) : error_(error) {}

    bool ok() const { return error_ == PacketError::none; }
    explicit operator bool() const { return ok(); }
    const Packet& value() const { return packet_; }
    const Packet* operator->() const { return &packet_; }
    const Packet& operator*() const { return packet_; }
    PacketError error() const { return error_; }
    // The project's Error, for a caller that reports it.
    Error to_error() const;

  private:
    Packet packet_;
    PacketError error_ = PacketError::none;
};

ParsedPacket parse_packet(std::span<const std::uint8_t> datagram);

// Bytes encode_packet writes for these parts.
std::size_t encoded_size(const SelectiveAck* sack, std::size_t payload_size);

// Writes header, the selective ack if `sack` is set (the header's extension field is set to
// match), then `payload`, into `out`. Returns the bytes written, or 0 if `out` is too small.
std::size_t encode_packet(const PacketHeader& header, const SelectiveAck* sack,
                          std::span<const std::uint8_t> payload, std::span<std::uint8_t> out);

}  // namespace shoal::utp
