#include "discovery/dht/compact.hpp"

#include <algorithm>

namespace shoal::dht {
namespace {

template <class Bytes>
void append_bytes(std::string& out, const Bytes& bytes) {
    for (auto b : bytes)
        out.push_back(static_cast<char>(b));
}

void append_port(std::string& out, unsigned short port) {
    out.push_back(static_cast<char>(port >> 8));
    out.push_back(static_cast<char>(port & 0xff));
}

unsigned short read_port(std::string_view raw) {
    return static_cast<unsigned short>((static_cast<unsigned char>(raw[0]) << 8) |
                                       static_cast<unsigned char>(raw[1]));
}

}  // namespace

std::string encode_endpoint(const Endpoint& endpoint) {
    std::string out;
    const auto address = endpoint.address();
    if (address.is_v4())
        append_bytes(out, address.to_v4().to_bytes());
    else
        append_bytes(out, address.to_v6().to_bytes());
    append_port(out, endpoint.port());
    return out;
}

std::optional<Endpoint> decode_endpoint(std::string_view raw) {
    if (raw.size() == k_compact_peer_v4) {
        boost::asio::ip::address_v4::bytes_type bytes;
        std::copy_n(raw.begin(), 4, reinterpret_cast<char*>(bytes.data()));
        return Endpoint(boost::asio::ip::address_v4(bytes), read_port(raw.substr(4)));
    }
    if (raw.size() == k_compact_peer_v6) {
        boost::asio::ip::address_v6::bytes_type bytes;
        std::copy_n(raw.begin(), 16, reinterpret_cast<char*>(bytes.data()));
        return Endpoint(boost::asio::ip::address_v6(bytes), read_port(raw.substr(16)));
    }
    return std::nullopt;
}

void append_node(std::string& out, const NodeEntry& node) {
    out.append(node.id.view());
    out.append(encode_endpoint(node.endpoint));
}

Result<std::vector<NodeEntry>> decode_nodes(std::string_view raw, bool v6, std::size_t max_count) {
    const std::size_t entry = v6 ? k_compact_node_v6 : k_compact_node_v4;
    const char* name = v6 ? "nodes6" : "nodes";
    if (raw.size() % entry != 0)
        return make_error(std::string(name) + " is " + std::to_string(raw.size()) +
                          " bytes, not a multiple of " + std::to_string(entry));
    if (raw.size() / entry > max_count)
        return make_error(std::string(name) + " lists " + std::to_string(raw.size() / entry) +
                          " nodes, more than " + std::to_string(max_count));
    std::vector<NodeEntry> out;
    out.reserve(raw.size() / entry);
    for (std::size_t at = 0; at < raw.size(); at += entry) {
        auto id = NodeId::from_bytes(raw.substr(at, 20));
        auto endpoint = decode_endpoint(raw.substr(at + 20, entry - 20));
        out.push_back(NodeEntry{*id, *endpoint});
    }
    return out;
}

std::string to_string(const Endpoint& endpoint) {
    const auto address = endpoint.address();
    const auto port = std::to_string(endpoint.port());
    if (address.is_v6())
        return "[" + address.to_string() + "]:" + port;
    return address.to_string() + ":" + port;
}

}  // namespace shoal::dht
