// Answers to other nodes' queries: ping, find_node, get_peers, announce_peer.

#include "discovery/dht/node_impl.hpp"

namespace shoal::dht {
namespace {

constexpr std::size_t k_nodes_per_reply = 8;

}  // namespace

void Node::Impl::send_error(Family& family, const Endpoint& to, const std::string& transaction_id,
                            ErrorCode code, std::string text) {
    Message reply;
    reply.transaction_id = transaction_id;
    reply.body = ErrorReply{static_cast<int>(code), std::move(text)};
    if (send(family, to, reply))
        ++stats_.errors_sent;
}

void Node::Impl::on_query(Family& family, const Message& message, const Endpoint& from) {
    // BEP 43: a read-only node answers nothing, so nobody mistakes it for a routing node.
    if (options_.read_only)
        return;
    const auto t = now();
    if (!source_limiter_.allow(from.address(), t)) {
        ++stats_.dropped_rate_limited;
        return;
    }
    ++stats_.queries_received;
    const auto& query = std::get<Query>(message.body);
    if (!message.read_only && from.port() != 0)
        note_contact(family, NodeEntry{query.id, from}, RoutingTable::Seen::queried);

    Message reply;
    reply.transaction_id = message.transaction_id;
    reply.external_ip = from;
    reply.version = k_client_version;
    Response response;
    response.id = id_;

    // BEP 32: nodes of the querier's family unless it asks for others with "want".
    auto add_nodes = [&](const NodeId& target) {
        const Want want = query.want.value_or(Want{!family.v6, family.v6});
        if (want.n4 && v4_)
            response.nodes = v4_->table.closest(target, k_nodes_per_reply);
        if (want.n6 && v6_)
            response.nodes6 = v6_->table.closest(target, k_nodes_per_reply);
    };

    switch (query.method) {
        case Method::ping:
            break;
        case Method::find_node:
            add_nodes(query.target);
            break;
        case Method::get_peers:
            response.token = tokens_.issue(from.address(), t);
            response.values = peer_store_.get(query.info_hash, family.v6, t, rng_);
            // Nodes too, even with peers: the querier may still be converging.
            add_nodes(as_node_id(query.info_hash));
            break;
        case Method::announce_peer: {
            if (!tokens_.check(query.token, from.address(), t)) {
                send_error(family, from, message.transaction_id, ErrorCode::protocol, "bad token");
                return;
            }
            const std::uint16_t port = query.implied_port ? from.port() : query.port;
            if (port != 0)
                peer_store_.add(query.info_hash, Endpoint(from.address(), port), t);
            break;
        }
        case Method::unknown:
            send_error(family, from, message.transaction_id, ErrorCode::method_unknown,
                       "unknown method");
            return;
    }
    reply.body = std::move(response);
    send(family, from, reply);
}

}  // namespace shoal::dht
