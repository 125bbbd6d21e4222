// KRPC messages (BEP 5, 32, 42, 43): the BEP's example messages byte for byte, and refusal
// of malformed ones with a reason.

#include <gtest/gtest.h>

#include <string>

#include "discovery/dht/krpc.hpp"

namespace shoal::dht {
namespace {

using namespace std::string_literals;

NodeId id_of(std::string_view text) {
    return *NodeId::from_bytes(text);
}
SwarmHash hash_of(std::string_view text) {
    return *SwarmHash::from_bytes(text);
}

Message decoded(std::string_view bytes) {
    auto result = decode_message(bytes);
    if (auto* failure = std::get_if<DecodeFailure>(&result))
        ADD_FAILURE() << failure->error.message;
    return std::get<Message>(result);
}

DecodeFailure refused(std::string_view bytes) {
    auto result = decode_message(bytes);
    EXPECT_TRUE(std::holds_alternative<DecodeFailure>(result)) << bytes;
    if (auto* failure = std::get_if<DecodeFailure>(&result))
        return *failure;
    return {};
}

// Decoding then encoding gives back the same bytes, and the typed message matches.
void round_trip(std::string_view bytes, const Message& expected) {
    const Message message = decoded(bytes);
    EXPECT_EQ(message, expected);
    EXPECT_EQ(encode_message(expected), bytes);
}

Message query(Query q) {
    Message m;
    m.transaction_id = "aa";
    m.body = std::move(q);
    return m;
}

Message response(Response r) {
    Message m;
    m.transaction_id = "aa";
    m.body = std::move(r);
    return m;
}

TEST(dht_krpc, Bep5Error) {
    Message m;
    m.transaction_id = "aa";
    m.body = ErrorReply{201, "A Generic Error Ocurred"};
    round_trip("d1:eli201e23:A Generic Error Ocurrede1:t2:aa1:y1:ee", m);
}

TEST(dht_krpc, Bep5Ping) {
    Query q;
    q.method = Method::ping;
    q.method_name = "ping";
    q.id = id_of("abcdefghij0123456789");
    round_trip("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t2:aa1:y1:qe", query(q));
    Response r;
    r.id = id_of("mnopqrstuvwxyz123456");
    round_trip("d1:rd2:id20:mnopqrstuvwxyz123456e1:t2:aa1:y1:re", response(r));
}

TEST(dht_krpc, Bep5FindNode) {
    Query q;
    q.method = Method::find_node;
    q.method_name = "find_node";
    q.id = id_of("abcdefghij0123456789");
    q.target = id_of("mnopqrstuvwxyz123456");
    round_trip(
        "d1:ad2:id20:abcdefghij01234567896:target20:mnopqrstuvwxyz123456e1:q9:find_node1:t2:aa1:"
        "y1:qe",
        query(q));
}

TEST(dht_krpc, Bep5FindNodeResponseWithRealNodes) {
    // The BEP's "def456..." stands for compact node info; use one real 26-byte entry.
    const std::string node = "ABCDEFGHIJKLMNOPQRST"s + "\x7f\x00\x00\x02\x1a\xe1"s;
    Response r;
    r.id = id_of("0123456789abcdefghij");
    r.nodes.push_back(NodeEntry{id_of("ABCDEFGHIJKLMNOPQRST"),
                                Endpoint(boost::asio::ip::make_address("127.0.0.2"), 6881)});
    round_trip("d1:rd2:id20:0123456789abcdefghij5:nodes26:" + node + "e1:t2:aa1:y1:re",
               response(r));
}

TEST(dht_krpc, Bep5GetPeers) {
    Query q;
    q.method = Method::get_peers;
    q.method_name = "get_peers";
    q.id = id_of("abcdefghij0123456789");
    q.info_hash = hash_of("mnopqrstuvwxyz123456");
    round_trip(
        "d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz123456e1:q9:get_peers1:t2:"
        "aa1:y1:qe",
        query(q));
}

TEST(dht_krpc, Bep5GetPeersResponseWithValues) {
    const std::string bytes =
        "d1:rd2:id20:abcdefghij01234567895:token8:aoeusnth6:valuesl6:axje.u6:idhtnmee1:t2:aa1:"
        "y1:re";
    const Message m = decoded(bytes);
    const auto& r = std::get<Response>(m.body);
    ASSERT_EQ(r.values.size(), 2u);
    // "axje.u": 'a' 'x' 'j' 'e' = 97.120.106.101, port '.' 'u' = 0x2e75.
    EXPECT_EQ(r.values[0], Endpoint(boost::asio::ip::make_address("97.120.106.101"), 0x2e75));
    EXPECT_EQ(r.token, "aoeusnth");
    EXPECT_EQ(encode_message(m), bytes);
}

TEST(dht_krpc, Bep5GetPeersResponseWithNodes) {
    const std::string node = "ABCDEFGHIJKLMNOPQRST"s + "\x7f\x00\x00\x02\x1a\xe1"s;
    const std::string bytes =
        "d1:rd2:id20:abcdefghij01234567895:nodes26:" + node + "5:token8:aoeusnthe1:t2:aa1:y1:re";
    const Message m = decoded(bytes);
    EXPECT_EQ(std::get<Response>(m.body).nodes.size(), 1u);
    EXPECT_EQ(encode_message(m), bytes);
}

TEST(dht_krpc, Bep5AnnouncePeer) {
    Query q;
    q.method = Method::announce_peer;
    q.method_name = "announce_peer";
    q.id = id_of("abcdefghij0123456789");
    q.info_hash = hash_of("mnopqrstuvwxyz123456");
    q.implied_port = true;
    q.port = 6881;
    q.token = "aoeusnth";
    round_trip(
        "d1:ad2:id20:abcdefghij012345678912:implied_porti1e9:info_hash20:mnopqrstuvwxyz1234564:"
        "porti6881e5:token8:aoeusnthe1:q13:announce_peer1:t2:aa1:y1:qe",
        query(q));
}

TEST(dht_krpc, ExtensionsIpReadOnlyWantNodes6) {
    Message m;
    m.transaction_id = "xy";
    m.read_only = true;
    m.version = "SH01";
    Query q;
    q.method = Method::find_node;
    q.method_name = "find_node";
    q.id = id_of("abcdefghij0123456789");
    q.target = id_of("mnopqrstuvwxyz123456");
    q.want = Want{true, true};
    m.body = q;
    const Message back = decoded(encode_message(m));
    EXPECT_EQ(back, m);

    Message r;
    r.transaction_id = "xy";
    r.external_ip = Endpoint(boost::asio::ip::make_address("2001:db8::1"), 51413);
    Response body;
    body.id = id_of("abcdefghij0123456789");
    body.nodes6.push_back(NodeEntry{id_of("ABCDEFGHIJKLMNOPQRST"),
                                    Endpoint(boost::asio::ip::make_address("2001:db8::2"), 6881)});
    body.values.push_back(Endpoint(boost::asio::ip::make_address("2001:db8::3"), 1));
    r.body = body;
    EXPECT_EQ(decoded(encode_message(r)), r);
}

TEST(dht_krpc, RefusesMalformedMessages) {
    EXPECT_FALSE(refused("").query);
    refused("not bencode");
    refused("li1ee");
    refused(std::string(k_max_datagram + 1, 'x'));
    // No transaction id.
    refused("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:y1:qe");
    // A short id in a query: the sender gets a protocol error, so its transaction id is known.
    auto short_id = refused("d1:ad2:id3:abce1:q4:ping1:t2:aa1:y1:qe");
    EXPECT_TRUE(short_id.query);
    EXPECT_EQ(short_id.transaction_id, "aa");
    EXPECT_FALSE(short_id.unknown_method);
    // Nodes not a multiple of 26 bytes, like the BEP's placeholder "def456...".
    auto bad_nodes = refused("d1:rd2:id20:0123456789abcdefghij5:nodes9:def456...e1:t2:aa1:y1:re");
    EXPECT_NE(bad_nodes.error.message.find("multiple of 26"), std::string::npos);
    // announce_peer without a token, or with port 0 and no implied_port.
    refused(
        "d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz1234564:porti6881ee1:q13:"
        "announce_peer1:t2:aa1:y1:qe");
    refused(
        "d1:ad2:id20:abcdefghij01234567899:info_hash20:mnopqrstuvwxyz1234564:porti0e5:token1:"
        "xe1:q13:announce_peer1:t2:aa1:y1:qe");
    // Values with an entry of the wrong size.
    refused("d1:rd2:id20:abcdefghij01234567896:valuesl5:abcdeee1:t2:aa1:y1:re");
    // Unknown message type, and an error without a message.
    refused("d1:t2:aa1:y1:ze");
    refused("d1:eli201ee1:t2:aa1:y1:ee");
    // Transaction id too long.
    refused("d1:ad2:id20:abcdefghij0123456789e1:q4:ping1:t17:aaaaaaaaaaaaaaaaa1:y1:qe");
    // Too deep.
    refused("d1:rd2:id20:abcdefghij01234567896:valuesllll6:axje.ueeeee1:t2:aa1:y1:re");
}

TEST(dht_krpc, UnknownMethodIsFlagged) {
    auto failure = refused("d1:ad2:id20:abcdefghij0123456789e1:q3:get1:t2:aa1:y1:qe");
    EXPECT_TRUE(failure.query);
    EXPECT_TRUE(failure.unknown_method);
}

TEST(dht_krpc, CompactEndpoints) {
    const Endpoint v4(boost::asio::ip::make_address("1.2.3.4"), 0x1ae1);
    EXPECT_EQ(encode_endpoint(v4), "\x01\x02\x03\x04\x1a\xe1"s);
    EXPECT_EQ(decode_endpoint("\x01\x02\x03\x04\x1a\xe1"s), v4);
    const Endpoint v6(boost::asio::ip::make_address("::1"), 80);
    EXPECT_EQ(encode_endpoint(v6).size(), 18u);
    EXPECT_EQ(decode_endpoint(encode_endpoint(v6)), v6);
    EXPECT_FALSE(decode_endpoint("12345"));
    EXPECT_FALSE(decode_nodes(std::string(27, 'x'), false, 16));
    EXPECT_FALSE(decode_nodes(std::string(26 * 17, 'x'), false, 16));
    EXPECT_EQ(decode_nodes(std::string(38 * 2, 'x'), true, 16)->size(), 2u);
}

}  // namespace
}  // namespace shoal::dht
