// uTP packets: the header and selective ack round trip, and every malformed datagram is
// refused with its reason.
#include <gtest/gtest.h>

#include <array>
#include <vector>

#include "utp/packet.hpp"

namespace shoal::utp {
namespace {

using Bytes = std::vector<std::uint8_t>;

PacketHeader sample_header() {
    PacketHeader h;
    h.type = PacketType::data;
    h.connection_id = 0xbeef;
    h.timestamp_us = 0x01020304;
    h.timestamp_difference_us = 0xa0b0c0d0;
    h.wnd_size = 0x00100000;
    h.seq_nr = 0xfffe;
    h.ack_nr = 0x1234;
    return h;
}

Bytes encode(const PacketHeader& h, const SelectiveAck* sack, const Bytes& payload) {
    Bytes out(encoded_size(sack, payload.size()));
    EXPECT_EQ(encode_packet(h, sack, payload, out), out.size());
    return out;
}

// A header with its extension byte set to `first`, followed by `rest`.
Bytes with_chain(std::uint8_t first, const Bytes& rest) {
    Bytes out = encode(sample_header(), nullptr, {});
    out[1] = first;
    out.insert(out.end(), rest.begin(), rest.end());
    return out;
}

TEST(utp_packet, HeaderIsLaidOutBigEndianAsBep29Draws) {
    const Bytes bytes = encode(sample_header(), nullptr, {});
    const Bytes expected{0x01, 0x00, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04, 0xa0, 0xb0,
                         0xc0, 0xd0, 0x00, 0x10, 0x00, 0x00, 0xff, 0xfe, 0x12, 0x34};
    EXPECT_EQ(bytes, expected);
    PacketHeader syn = sample_header();
    syn.type = PacketType::syn;
    EXPECT_EQ(encode(syn, nullptr, {})[0], 0x41);  // type in the high nibble, version low
}

TEST(utp_packet, EveryTypeRoundTrips) {
    for (auto type : {PacketType::data, PacketType::fin, PacketType::state, PacketType::reset,
                      PacketType::syn}) {
        PacketHeader h = sample_header();
        h.type = type;
        const Bytes payload{1, 2, 3, 4, 5};
        const Bytes bytes = encode(h, nullptr, payload);
        const auto parsed = parse_packet(bytes);
        ASSERT_TRUE(parsed) << packet_type_name(type);
        EXPECT_EQ(parsed->header, h);
        EXPECT_FALSE(parsed->has_sack);
        EXPECT_EQ(Bytes(parsed->payload.begin(), parsed->payload.end()), payload);
    }
}

TEST(utp_packet, SelectiveAckRoundTripsWithItsBitOrder) {
    SelectiveAck sack(8);
    sack.set(0);   // ack_nr + 2
    sack.set(7);   // ack_nr + 9: the top bit of the first byte
    sack.set(8);   // ack_nr + 10: the low bit of the second byte
    sack.set(63);  // the last bit of an 8-byte mask
    EXPECT_EQ(sack.size_bytes(), 8u);
    const Bytes bytes = encode(sample_header(), &sack, {9, 9});
    ASSERT_EQ(bytes.size(), 20u + 2 + 8 + 2);
    EXPECT_EQ(bytes[1], k_extension_sack);
    EXPECT_EQ(bytes[20], 0);  // no further extension
    EXPECT_EQ(bytes[21], 8);  // mask length
    EXPECT_EQ(bytes[22], 0x81);
    EXPECT_EQ(bytes[23], 0x01);
    EXPECT_EQ(bytes[29], 0x80);

    const auto parsed = parse_packet(bytes);
    ASSERT_TRUE(parsed);
    ASSERT_TRUE(parsed->has_sack);
    EXPECT_EQ(parsed->sack, sack);
    EXPECT_TRUE(parsed->sack.test(0));
    EXPECT_FALSE(parsed->sack.test(1));
    EXPECT_TRUE(parsed->sack.test(63));
    EXPECT_FALSE(parsed->sack.test(64));  // past the mask reads as clear
    EXPECT_EQ(parsed->payload.size(), 2u);
}

TEST(utp_packet, SelectiveAckSizeRoundsUpToWordsAndIsCapped) {
    EXPECT_EQ(SelectiveAck(1).size_bytes(), 4u);
    EXPECT_EQ(SelectiveAck(5).size_bytes(), 8u);
    EXPECT_EQ(SelectiveAck(10'000).size_bytes(), k_max_sack_bytes);
    SelectiveAck small(4);
    small.set(40);  // beyond 32 bits: ignored
    EXPECT_FALSE(small.test(40));
}

TEST(utp_packet, UnknownExtensionsAreSkipped) {
    // Extension 7 (unknown, 3 bytes) chains to a selective ack of 4 bytes.
    const Bytes bytes = with_chain(7, {1, 3, 0xaa, 0xbb, 0xcc, 0, 4, 0x01, 0, 0, 0, 0x42});
    const auto parsed = parse_packet(bytes);
    ASSERT_TRUE(parsed);
    EXPECT_TRUE(parsed->has_sack);
    EXPECT_TRUE(parsed->sack.test(0));
    ASSERT_EQ(parsed->payload.size(), 1u);
    EXPECT_EQ(parsed->payload[0], 0x42);
}

TEST(utp_packet, ShortDatagramsAreRefused) {
    const Bytes full = encode(sample_header(), nullptr, {});
    for (std::size_t n = 0; n < k_header_size; ++n) {
        const auto parsed = parse_packet(std::span(full.data(), n));
        ASSERT_FALSE(parsed) << n;
        EXPECT_EQ(parsed.error(), PacketError::too_short);
    }
}

TEST(utp_packet, WrongVersionIsRefused) {
    Bytes bytes = encode(sample_header(), nullptr, {});
    for (std::uint8_t version : {0, 2, 15}) {
        bytes[0] = static_cast<std::uint8_t>((bytes[0] & 0xf0) | version);
        EXPECT_EQ(parse_packet(bytes).error(), PacketError::bad_version);
    }
}

TEST(utp_packet, UnknownTypeIsRefused) {
    Bytes bytes = encode(sample_header(), nullptr, {});
    for (unsigned type = 5; type < 16; ++type) {
        bytes[0] = static_cast<std::uint8_t>((type << 4) | k_version);
        EXPECT_EQ(parse_packet(bytes).error(), PacketError::unknown_type) << type;
    }
}

TEST(utp_packet, TruncatedExtensionChainIsRefused) {
    EXPECT_EQ(parse_packet(with_chain(1, {})).error(), PacketError::truncated_extension);
    EXPECT_EQ(parse_packet(with_chain(1, {0})).error(), PacketError::truncated_extension);
    // The first link says another follows, and the datagram ends.
    EXPECT_EQ(parse_packet(with_chain(7, {9, 0})).error(), PacketError::truncated_extension);
}

TEST(utp_packet, ExtensionLengthPastTheEndIsRefused) {
    EXPECT_EQ(parse_packet(with_chain(1, {0, 8, 1, 2, 3, 4})).error(),
              PacketError::extension_overrun);
    EXPECT_EQ(parse_packet(with_chain(9, {0, 255})).error(), PacketError::extension_overrun);
}

TEST(utp_packet, SelectiveAckOfABadLengthIsRefused) {
    EXPECT_EQ(parse_packet(with_chain(1, {0, 0})).error(), PacketError::bad_sack_length);
    Bytes too_long{0, static_cast<std::uint8_t>(k_max_sack_bytes + 4)};
    too_long.resize(2 + k_max_sack_bytes + 4, 0);
    EXPECT_EQ(parse_packet(with_chain(1, too_long)).error(), PacketError::bad_sack_length);
}

// libtorrent sizes its selective ack to the packets it holds out of order: 1 to 32 bytes, not
// always a multiple of 4. Refusing those dropped its data packets, and a transfer stalled.
TEST(utp_packet, SelectiveAckOfAnyLengthUpToTheCapIsTaken) {
    for (std::uint8_t length : {1, 3, 5, 6, 7, 9, 32}) {
        Bytes rest{0, length};
        rest.resize(2 + length, 0);
        rest[2 + length - 1] = 0x80;  // the last packet the mask covers
        const auto parsed = parse_packet(with_chain(1, rest));
        ASSERT_TRUE(parsed) << int(length);
        ASSERT_TRUE(parsed->has_sack);
        EXPECT_EQ(parsed->sack.size_bytes(), length);
        EXPECT_TRUE(parsed->sack.test(length * 8u - 1));
        EXPECT_FALSE(parsed->sack.test(0));
    }
}

TEST(utp_packet, TwoSelectiveAcksAreRefused) {
    EXPECT_EQ(parse_packet(with_chain(1, {1, 4, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0})).error(),
              PacketError::duplicate_sack);
}

TEST(utp_packet, LongChainsAreRefused) {
    Bytes rest;
    for (std::size_t i = 0; i < k_max_extensions + 1; ++i) {
        rest.push_back(i + 1 < k_max_extensions + 1 ? 9 : 0);
        rest.push_back(0);
    }
    EXPECT_EQ(parse_packet(with_chain(9, rest)).error(), PacketError::too_many_extensions);
}

TEST(utp_packet, EncodingIntoASmallBufferWritesNothing) {
    std::array<std::uint8_t, 24> out{};
    const Bytes payload(10, 7);
    EXPECT_EQ(encode_packet(sample_header(), nullptr, payload, out), 0u);
    EXPECT_EQ(out, (std::array<std::uint8_t, 24>{}));
}

TEST(utp_packet, ErrorsReadAsMessages) {
    const Bytes empty;
    const auto parsed = parse_packet(empty);
    const Error e = parsed.to_error();
    EXPECT_EQ(e.code, ErrorCode::invalid_input);
    EXPECT_NE(e.message.find("20-byte"), std::string::npos);
}

TEST(utp_packet, NoPrefixOfAnyPacketCrashesTheParser) {
    // Every truncation and every single-byte corruption parses or is refused, never reads
    // past the datagram (the sanitizer build checks the reads).
    SelectiveAck sack(12);
    sack.set(3);
    const Bytes good = encode(sample_header(), &sack, Bytes(40, 0x5a));
    for (std::size_t n = 0; n <= good.size(); ++n) {
        const Bytes cut(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(n));
        (void)parse_packet(cut);
        for (std::size_t i = 0; i < n; ++i) {
            Bytes bent = cut;
            bent[i] ^= 0xff;
            const auto parsed = parse_packet(bent);
            if (parsed) {
                EXPECT_LE(parsed->payload.size(), n);
            }
        }
    }
}

}  // namespace
}  // namespace shoal::utp
