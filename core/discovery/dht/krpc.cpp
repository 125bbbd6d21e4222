#include "discovery/dht/krpc.hpp"

#include "bencode/decode.hpp"
#include "bencode/node.hpp"

namespace shoal::dht {
namespace {

using bencode::Node;
using bencode::Value;

constexpr bencode::Limits k_limits{.max_depth = 4, .max_items = 512};

struct Fail {
    std::string message;
    bool unknown_method = false;
};

// Collects the body of a message or the reason it is malformed.
template <class T>
using Parsed = std::variant<T, Fail>;

Method method_from(std::string_view name) {
    if (name == "ping")
        return Method::ping;
    if (name == "find_node")
        return Method::find_node;
    if (name == "get_peers")
        return Method::get_peers;
    if (name == "announce_peer")
        return Method::announce_peer;
    return Method::unknown;
}

template <class Id>
std::optional<Id> read_id(const Value& dict, std::string_view key) {
    const Value* v = dict.find_string(key);
    if (!v)
        return std::nullopt;
    return Id::from_bytes(v->as_string());
}

Parsed<Query> parse_query(const Value& top) {
    const Value* q = top.find_string("q");
    if (!q)
        return Fail{"query without a method name (\"q\")"};
    const Value* a = top.find_dict("a");
    if (!a)
        return Fail{"query without arguments (\"a\")"};
    Query query;
    query.method_name = std::string(q->as_string().substr(0, 64));
    query.method = method_from(q->as_string());
    auto id = read_id<NodeId>(*a, "id");
    if (!id)
        return Fail{"query without a 20-byte id"};
    query.id = *id;
    if (const Value* want = a->find_list("want")) {
        Want w;
        for (const auto& item : want->as_list()) {
            if (!item.is_string())
                return Fail{"want lists a non-string"};
            w.n4 = w.n4 || item.as_string() == "n4";
            w.n6 = w.n6 || item.as_string() == "n6";
        }
        query.want = w;
    }
    switch (query.method) {
        case Method::unknown:
            return Fail{"unknown method " + query.method_name, true};
        case Method::ping:
            break;
        case Method::find_node: {
            auto target = read_id<NodeId>(*a, "target");
            if (!target)
                return Fail{"find_node without a 20-byte target"};
            query.target = *target;
            break;
        }
        case Method::get_peers:
        case Method::announce_peer: {
            auto hash = read_id<SwarmHash>(*a, "info_hash");
            if (!hash)
                return Fail{std::string(method_name(query.method)) +
                            " without a 20-byte info_hash"};
            query.info_hash = *hash;
            if (query.method == Method::get_peers)
                break;
            const Value* implied = a->find_int("implied_port");
            query.implied_port = implied && implied->as_int() != 0;
            const Value* port = a->find_int("port");
            if (!query.implied_port) {
                if (!port || port->as_int() < 1 || port->as_int() > 65535)
                    return Fail{"announce_peer without a port in 1..65535"};
                query.port = static_cast<std::uint16_t>(port->as_int());
            } else if (port && port->as_int() >= 0 && port->as_int() <= 65535) {
                query.port = static_cast<std::uint16_t>(port->as_int());
            }
            const Value* token = a->find_string("token");
            if (!token || token->as_string().empty() || token->as_string().size() > k_max_token)
                return Fail{"announce_peer without a token of 1.." + std::to_string(k_max_token) +
                            " bytes"};
            query.token = std::string(token->as_string());
            break;
        }
    }
    return query;
}

Parsed<Response> parse_response(const Value& top) {
    const Value* r = top.find_dict("r");
    if (!r)
        return Fail{"response without a body (\"r\")"};
    Response response;
    auto id = read_id<NodeId>(*r, "id");
    if (!id)
        return Fail{"response without a 20-byte id"};
    response.id = *id;
    for (bool v6 : {false, true}) {
        const Value* nodes = r->find(v6 ? "nodes6" : "nodes");
        if (!nodes)
            continue;
        if (!nodes->is_string())
            return Fail{v6 ? "nodes6 is not a string" : "nodes is not a string"};
        auto decoded = decode_nodes(nodes->as_string(), v6, k_max_nodes_per_reply);
        if (!decoded)
            return Fail{decoded.error().message};
        (v6 ? response.nodes6 : response.nodes) = std::move(*decoded);
    }
    if (const Value* values = r->find("values")) {
        if (!values->is_list())
            return Fail{"values is not a list"};
        if (values->as_list().size() > k_max_values_per_reply)
            return Fail{"values lists more than " + std::to_string(k_max_values_per_reply) +
                        " peers"};
        for (const auto& item : values->as_list()) {
            auto peer = item.is_string() ? decode_endpoint(item.as_string()) : std::nullopt;
            if (!peer)
                return Fail{"values holds an entry that is not 6 or 18 bytes"};
            response.values.push_back(*peer);
        }
    }
    if (const Value* token = r->find("token")) {
        if (!token->is_string() || token->as_string().size() > k_max_token)
            return Fail{"token is not a string of at most " + std::to_string(k_max_token) +
                        " bytes"};
        response.token = std::string(token->as_string());
    }
    return response;
}

Parsed<ErrorReply> parse_error(const Value& top) {
    const Value* e = top.find_list("e");
    if (!e || e->as_list().size() < 2 || !e->as_list()[0].is_int() || !e->as_list()[1].is_string())
        return Fail{"error without [code, message] (\"e\")"};
    const auto code = e->as_list()[0].as_int();
    if (code < 0 || code > 1'000'000)
        return Fail{"error code out of range"};
    const auto text = e->as_list()[1].as_string();
    return ErrorReply{static_cast<int>(code), std::string(text.substr(0, k_max_error_message))};
}

template <class T>
bool take(Parsed<T> parsed, Message& out, Fail& fail) {
    if (auto* f = std::get_if<Fail>(&parsed)) {
        fail = std::move(*f);
        return false;
    }
    out.body = std::move(std::get<T>(parsed));
    return true;
}

Node node_list(const std::vector<NodeEntry>& nodes) {
    std::string out;
    for (const auto& n : nodes)
        append_node(out, n);
    return Node(std::move(out));
}

Node encode_query(const Query& q) {
    Node::Dict a;
    a["id"] = std::string(q.id.view());
    switch (q.method) {
        case Method::find_node:
            a["target"] = std::string(q.target.view());
            break;
        case Method::get_peers:
            a["info_hash"] = std::string(q.info_hash.view());
            break;
        case Method::announce_peer:
            a["info_hash"] = std::string(q.info_hash.view());
            a["port"] = Node(std::int64_t{q.port});
            a["token"] = q.token;
            if (q.implied_port)
                a["implied_port"] = 1;
            break;
        case Method::ping:
        case Method::unknown:
            break;
    }
    if (q.want) {
        Node::List want;
        if (q.want->n4)
            want.emplace_back("n4");
        if (q.want->n6)
            want.emplace_back("n6");
        a["want"] = std::move(want);
    }
    return Node(std::move(a));
}

Node encode_response(const Response& r) {
    Node::Dict body;
    body["id"] = std::string(r.id.view());
    if (!r.nodes.empty())
        body["nodes"] = node_list(r.nodes);
    if (!r.nodes6.empty())
        body["nodes6"] = node_list(r.nodes6);
    if (!r.values.empty()) {
        Node::List values;
        for (const auto& peer : r.values)
            values.emplace_back(encode_endpoint(peer));
        body["values"] = std::move(values);
    }
    if (r.token)
        body["token"] = *r.token;
    return Node(std::move(body));
}

}  // namespace

std::string_view method_name(Method method) {
    switch (method) {
        case Method::ping:
            return "ping";
        case Method::find_node:
            return "find_node";
        case Method::get_peers:
            return "get_peers";
        case Method::announce_peer:
            return "announce_peer";
        case Method::unknown:
            break;
    }
    return "unknown";
}

std::variant<Message, DecodeFailure> decode_message(std::string_view datagram) {
    if (datagram.size() > k_max_datagram)
        return DecodeFailure{
            make_error("datagram of " + std::to_string(datagram.size()) + " bytes is too large"),
            std::nullopt};
    auto decoded = bencode::decode(datagram, k_limits);
    if (!decoded)
        return DecodeFailure{make_error("not bencode: " + decoded.error().message), std::nullopt};
    const Value& top = *decoded;
    if (!top.is_dict())
        return DecodeFailure{make_error("message is not a dictionary"), std::nullopt};

    Message message;
    std::optional<std::string> tid;
    if (const Value* t = top.find_string("t"); t && t->as_string().size() <= k_max_transaction_id)
        tid = std::string(t->as_string());
    const Value* y = top.find_string("y");
    const bool is_query = y && y->as_string() == "q";
    auto failure = [&](std::string text, bool unknown_method = false) {
        return DecodeFailure{make_error(std::move(text)), tid, is_query, unknown_method};
    };
    if (!tid)
        return failure("no transaction id of at most " + std::to_string(k_max_transaction_id) +
                       " bytes");
    message.transaction_id = *tid;
    if (!y)
        return failure("no message type (\"y\")");

    if (const Value* v = top.find_string("v"); v && v->as_string().size() <= k_max_version)
        message.version = std::string(v->as_string());
    if (const Value* ip = top.find("ip")) {
        auto endpoint = ip->is_string() ? decode_endpoint(ip->as_string()) : std::nullopt;
        if (!endpoint)
            return failure("ip is not a 6 or 18 byte compact address");
        message.external_ip = *endpoint;
    }
    if (const Value* ro = top.find_int("ro"))
        message.read_only = ro->as_int() == 1;

    Fail fail;
    bool ok = false;
    const auto type = y->as_string();
    if (type == "q")
        ok = take(parse_query(top), message, fail);
    else if (type == "r")
        ok = take(parse_response(top), message, fail);
    else if (type == "e")
        ok = take(parse_error(top), message, fail);
    else
        fail.message = "unknown message type";
    if (!ok)
        return failure(std::move(fail.message), fail.unknown_method);
    return message;
}

std::string encode_message(const Message& message) {
    Node::Dict top;
    top["t"] = message.transaction_id;
    if (message.version)
        top["v"] = *message.version;
    if (message.external_ip)
        top["ip"] = encode_endpoint(*message.external_ip);
    if (message.read_only)
        top["ro"] = 1;
    if (const auto* q = std::get_if<Query>(&message.body)) {
        top["y"] = "q";
        top["q"] =
            q->method == Method::unknown ? q->method_name : std::string(method_name(q->method));
        top["a"] = encode_query(*q);
    } else if (const auto* r = std::get_if<Response>(&message.body)) {
        top["y"] = "r";
        top["r"] = encode_response(*r);
    } else {
        const auto& e = std::get<ErrorReply>(message.body);
        top["y"] = "e";
        top["e"] = Node::List{Node(std::int64_t{e.code}), Node(e.message)};
    }
    return bencode::encode(Node(std::move(top)));
}

}  // namespace shoal::dht
