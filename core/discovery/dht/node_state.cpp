// What a node keeps between runs: its id and the good nodes it knew.

#include "bencode/decode.hpp"
#include "bencode/node.hpp"
#include "discovery/dht/node_id_rules.hpp"
#include "discovery/dht/node_impl.hpp"

namespace shoal::dht {
namespace {

constexpr std::size_t k_max_state_bytes = 256 * 1024;
constexpr std::size_t k_max_saved_nodes = 2000;

}  // namespace

std::string Node::Impl::save_state() const {
    bencode::Node::Dict state;
    state["id"] = std::string(id_.view());
    const auto t = now();
    std::string nodes;
    std::string nodes6;
    for (const auto* family : {v4_.get(), v6_.get()}) {
        if (!family)
            continue;
        for (const auto& node : family->table.good_nodes(t))
            append_node(family->v6 ? nodes6 : nodes, node);
    }
    state["nodes"] = std::move(nodes);
    state["nodes6"] = std::move(nodes6);
    return bencode::encode(bencode::Node(std::move(state)));
}

Result<std::size_t> Node::Impl::load_state(std::string_view bytes) {
    if (bytes.size() > k_max_state_bytes)
        return make_error("DHT state is larger than " + std::to_string(k_max_state_bytes) +
                          " bytes");
    auto decoded = bencode::decode(bytes, bencode::Limits{.max_depth = 2, .max_items = 16});
    if (!decoded)
        return make_error("DHT state is not bencode: " + decoded.error().message);
    const auto* id_value = decoded->find_string("id");
    auto id = id_value ? NodeId::from_bytes(id_value->as_string()) : std::nullopt;
    if (!id)
        return make_error("DHT state has no 20-byte id");
    std::vector<NodeEntry> nodes;
    for (bool v6 : {false, true}) {
        const auto* list = decoded->find_string(v6 ? "nodes6" : "nodes");
        if (!list)
            continue;
        auto entries = decode_nodes(list->as_string(), v6, k_max_saved_nodes);
        if (!entries)
            return make_error("DHT state: " + entries.error().message);
        nodes.insert(nodes.end(), entries->begin(), entries->end());
    }
    // The id can only change while no table has been built around the old one. A saved id
    // that no longer fits our external address (BEP 42) is dropped.
    const bool id_fits = !options_.external_address || options_.id ||
                         node_id_matches_address(*id, *options_.external_address);
    if (!running_ && !options_.id && id_fits)
        id_ = *id;
    const std::size_t count = nodes.size();
    if (running_) {
        for (const auto& node : nodes) {
            auto* family = node.endpoint.address().is_v6() ? v6_.get() : v4_.get();
            if (family)
                ping(*family, node.endpoint);
        }
    } else {
        saved_nodes_ = std::move(nodes);
    }
    return count;
}

}  // namespace shoal::dht
