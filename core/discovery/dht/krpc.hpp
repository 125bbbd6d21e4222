#pragma once
// KRPC messages of BEP 5 (with BEP 32 nodes6/want, BEP 42 ip, BEP 43 ro): typed values,
// a strict decoder with limits, and an encoder that emits canonical bencode.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "discovery/dht/compact.hpp"
#include "util/result.hpp"

namespace shoal::dht {

// Datagrams larger than this are dropped unread: no valid KRPC message of ours or of the
// clients we talk to comes near it, and it bounds what a single packet can cost us.
constexpr std::size_t k_max_datagram = 1500;
constexpr std::size_t k_max_transaction_id = 16;
constexpr std::size_t k_max_token = 64;
constexpr std::size_t k_max_nodes_per_reply = 16;
constexpr std::size_t k_max_values_per_reply = 200;
constexpr std::size_t k_max_error_message = 256;
constexpr std::size_t k_max_version = 16;

// BEP 5 error codes.
enum class ErrorCode : int {
    generic = 201,
    server = 202,
    protocol = 203,
    method_unknown = 204,
};

enum class Method { ping, find_node, get_peers, announce_peer, unknown };

std::string_view method_name(Method method);

// BEP 32 "want": which address families a querier wants nodes of.
struct Want {
    bool n4 = false;
    bool n6 = false;
    bool operator==(const Want&) const = default;
};

struct Query {
    Method method = Method::ping;
    // The method as sent, kept for unknown methods so the error can name it.
    std::string method_name;
    NodeId id;
    NodeId target;           // find_node
    SwarmHash info_hash;    // get_peers, announce_peer
    std::uint16_t port = 0;  // announce_peer
    bool implied_port = false;
    std::string token;  // announce_peer
    std::optional<Want> want;
    bool operator==(const Query&) const = default;
};

struct Response {
    NodeId id;
    std::vector<NodeEntry> nodes;   // IPv4 ("nodes")
    std::vector<NodeEntry> nodes6;  // IPv6 ("nodes6", BEP 32)
    std::vector<Endpoint> values;   // peers, either family
    std::optional<std::string> token;
    bool operator==(const Response&) const = default;
};

struct ErrorReply {
    int code = static_cast<int>(ErrorCode::generic);
    std::string message;
    bool operator==(const ErrorReply&) const = default;
};

struct Message {
    std::string transaction_id;
    std::variant<Query, Response, ErrorReply> body;
    // "v": the sender's client version, informational only.
    std::optional<std::string> version;
    // "ip" (BEP 42): the address the sender saw us at, in replies.
    std::optional<Endpoint> external_ip;
    // "ro" (BEP 43): the querier is read-only; do not add it to the routing table.
    bool read_only = false;
    bool operator==(const Message&) const = default;

    bool is_query() const { return std::holds_alternative<Query>(body); }
    bool is_response() const { return std::holds_alternative<Response>(body); }
    bool is_error() const { return std::holds_alternative<ErrorReply>(body); }
};

// Decodes one datagram. Errors say what was wrong; the transaction id, when it could be
// read, is returned alongside so the caller can answer with a protocol error.
struct DecodeFailure {
    Error error;
    std::optional<std::string> transaction_id;
    // The datagram said it was a query ("y":"q"), so the sender expects an error reply.
    bool query = false;
    // The query named a method we do not know (error 204 rather than 203).
    bool unknown_method = false;
};
std::variant<Message, DecodeFailure> decode_message(std::string_view datagram);

// Canonical bencode of `message`. Only fields that apply to the method are written.
std::string encode_message(const Message& message);

}  // namespace shoal::dht
