// Peer wire messages and the handshake: encoding, bounded decoding, malformed input.
#include <gtest/gtest.h>

#include <algorithm>

#include "wire/allowed_fast.hpp"
#include "wire/handshake.hpp"
#include "wire/messages.hpp"

using namespace shoal;
using namespace shoal::wire;

namespace {

// The body of the first encoded message (without its length prefix), checking the prefix.
std::string body_of(const std::string& encoded) {
    EXPECT_GE(encoded.size(), 4u);
    const std::uint32_t length = read_u32(encoded.data());
    EXPECT_EQ(length + 4, encoded.size());
    return encoded.substr(4);
}

}  // namespace

TEST(Wire, RequestRoundTrip) {
    std::string out;
    encode_request(out, MessageId::request, {7, 16384, 16384});
    EXPECT_EQ(out, std::string("\0\0\0\x0d\x06\0\0\0\x07\0\0\x40\0\0\0\x40\0", 17));
    auto m = decode_message(body_of(out));
    ASSERT_TRUE(m);
    const auto* r = std::get_if<Request>(&*m);
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->block, (BlockRequest{7, 16384, 16384}));
}

TEST(Wire, PieceHeaderAndData) {
    std::string out;
    encode_piece_header(out, 3, 32768, 5);
    out += "hello";
    const std::string body = body_of(out);  // the decoded message views it
    auto m = decode_message(body);
    ASSERT_TRUE(m);
    const auto* p = std::get_if<Piece>(&*m);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->piece, 3u);
    EXPECT_EQ(p->begin, 32768u);
    EXPECT_EQ(p->data, "hello");
}

TEST(Wire, SimpleMessagesAndKeepAlive) {
    for (auto id : {MessageId::choke, MessageId::unchoke, MessageId::interested, MessageId::not_interested,
                    MessageId::have_all, MessageId::have_none}) {
        std::string out;
        encode_simple(out, id);
        EXPECT_EQ(out.size(), 5u);
        EXPECT_TRUE(decode_message(body_of(out)));
    }
    auto keep_alive = decode_message("");
    ASSERT_TRUE(keep_alive);
    EXPECT_TRUE(std::holds_alternative<KeepAlive>(*keep_alive));
}

TEST(Wire, MalformedMessagesAreErrors) {
    EXPECT_FALSE(decode_message(std::string("\x04\0\0", 3)));              // have: 2 of 4 bytes
    EXPECT_FALSE(decode_message(std::string("\x06\0\0\0\x01\0\0\0\0", 9)));  // short request
    EXPECT_FALSE(decode_message(std::string("\x00\x01", 2)));              // choke with payload
    EXPECT_FALSE(decode_message(std::string("\x07\0\0\0", 4)));            // piece without header
    EXPECT_FALSE(decode_message(std::string("\x14", 1)));                  // extended without id
    EXPECT_FALSE(decode_message(std::string("\x16", 1) + std::string(50, 'x')));  // hashes: 2 extra bytes
}

TEST(Wire, UnknownIdsAreIgnoredNotErrors) {
    auto m = decode_message(std::string("\x63payload", 8));
    ASSERT_TRUE(m);
    ASSERT_TRUE(std::holds_alternative<Unknown>(*m));
    EXPECT_EQ(std::get<Unknown>(*m).id, 0x63);
}

TEST(Handshake, RoundTripAndReservedBits) {
    Handshake h;
    h.reserved = our_reserved(true);
    h.info_hash.fill(0xab);
    h.peer_id = make_peer_id();
    const std::string bytes = encode_handshake(h);
    ASSERT_EQ(bytes.size(), k_handshake_size);
    auto back = decode_handshake(bytes);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->info_hash, h.info_hash);
    EXPECT_EQ(back->peer_id, h.peer_id);
    EXPECT_TRUE(back->supports_extensions());
    EXPECT_TRUE(back->supports_fast());
    EXPECT_TRUE(back->supports_v2());
    EXPECT_FALSE(decode_handshake(bytes.substr(0, 67)));
    EXPECT_FALSE(decode_handshake("\x13" "BitTorrent protocoX" + bytes.substr(20)));
}

TEST(Handshake, PlausiblePrefixSeparatesPlainFromEncrypted) {
    EXPECT_TRUE(plausible_protocol_prefix("\x13"));
    EXPECT_TRUE(plausible_protocol_prefix("\x13" "BitTorrent prot"));
    EXPECT_FALSE(plausible_protocol_prefix("\x8f\x21"));  // an MSE public key starts anywhere
    EXPECT_FALSE(plausible_protocol_prefix("GET / HTTP/1.1"));
    EXPECT_FALSE(plausible_protocol_prefix(std::string("\0\0\0\0", 4)));
}

TEST(Handshake, ClientNames) {
    PeerId id{};
    const std::string lt = "-LT2080-abcdefghijkl";
    std::copy(lt.begin(), lt.end(), id.begin());
    EXPECT_EQ(client_from_peer_id(id), "libtorrent 2080");
    EXPECT_EQ(client_from_peer_id(make_peer_id()), "Shoal 0100");
    id.fill(0xff);
    EXPECT_EQ(client_from_peer_id(id), "unknown");
}

TEST(AllowedFast, MatchesTheVectorsOfBep6) {
    std::array<std::uint8_t, 20> hash{};
    hash.fill(0xaa);
    const std::uint32_t ip = (80u << 24) | (4u << 16) | (4u << 8) | 200u;
    EXPECT_EQ(wire::allowed_fast_set(ip, hash, 1313, 7),
              (std::vector<std::uint32_t>{1059, 431, 808, 1217, 287, 376, 1188}));
    EXPECT_EQ(wire::allowed_fast_set(ip, hash, 1313, 9),
              (std::vector<std::uint32_t>{1059, 431, 808, 1217, 287, 376, 1188, 353, 508}));
    // The same /24 gets the same set; a small torrent gives every piece once.
    EXPECT_EQ(wire::allowed_fast_set(ip + 1, hash, 1313, 9), wire::allowed_fast_set(ip, hash, 1313, 9));
    auto all = wire::allowed_fast_set(ip, hash, 3, 10);
    std::sort(all.begin(), all.end());
    EXPECT_EQ(all, (std::vector<std::uint32_t>{0, 1, 2}));
}
