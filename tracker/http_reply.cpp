#include "tracker/http_reply.hpp"

#include "bencode/node.hpp"
#include "tracker/address.hpp"

namespace shoal::tracker {

using bencode::Node;

std::string bencode_announce(const AnnounceOutcome& outcome, const std::vector<PeerInfo>& peers,
                             bool compact, bool no_peer_id) {
    Node::Dict d;
    d["complete"] = Node(static_cast<std::int64_t>(outcome.counts.seeders));
    d["incomplete"] = Node(static_cast<std::int64_t>(outcome.counts.leechers));
    d["downloaded"] = Node(static_cast<std::int64_t>(outcome.counts.completed));
    d["interval"] = Node(static_cast<std::int64_t>(outcome.interval));
    d["min interval"] = Node(static_cast<std::int64_t>(outcome.min_interval));
    if (compact) {
        std::string v4, v6;
        v4.reserve(peers.size() * 6);
        for (const auto& p : peers) {
            std::string& out = p.endpoint.address.family == Family::v4 ? v4 : v6;
            out.append(reinterpret_cast<const char*>(p.endpoint.address.bytes.data()),
                       p.endpoint.address.size());
            out.push_back(static_cast<char>(p.endpoint.port >> 8));
            out.push_back(static_cast<char>(p.endpoint.port & 0xFF));
        }
        d["peers"] = Node(std::move(v4));
        if (!v6.empty())
            d["peers6"] = Node(std::move(v6));
    } else {
        Node::List list;
        list.reserve(peers.size());
        for (const auto& p : peers) {
            Node::Dict peer;
            peer["ip"] = Node(format_ip(p.endpoint.address));
            peer["port"] = Node(static_cast<std::int64_t>(p.endpoint.port));
            if (!no_peer_id)
                peer["peer id"] = Node(std::string(p.peer_id.view()));
            list.emplace_back(std::move(peer));
        }
        d["peers"] = Node(std::move(list));
    }
    return bencode::encode(Node(std::move(d)));
}

std::string bencode_scrape(const std::vector<ScrapeResult>& entries) {
    Node::Dict files;
    for (const auto& e : entries) {
        if (!e.allowed)
            continue;
        Node::Dict f;
        f["complete"] = Node(static_cast<std::int64_t>(e.counts.seeders));
        f["downloaded"] = Node(static_cast<std::int64_t>(e.counts.completed));
        f["incomplete"] = Node(static_cast<std::int64_t>(e.counts.leechers));
        files[std::string(e.info_hash.view())] = Node(std::move(f));
    }
    Node::Dict d;
    d["files"] = Node(std::move(files));
    return bencode::encode(Node(std::move(d)));
}

std::string bencode_failure(std::string_view reason, std::uint32_t retry_in_minutes) {
    Node::Dict d;
    d["failure reason"] = Node(std::string(reason));
    if (retry_in_minutes != 0)
        d["retry in"] = Node(static_cast<std::int64_t>(retry_in_minutes));
    return bencode::encode(Node(std::move(d)));
}

}  // namespace shoal::tracker
