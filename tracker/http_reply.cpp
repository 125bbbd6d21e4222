#include "tracker/http_reply.hpp"

#include "bencode/node.hpp"
#include "tracker/address.hpp"

namespace shoal::tracker {

using bencode::Node;

namespace {

void put_int(std::string& out, std::string_view key, std::uint64_t v) {
    out += std::to_string(key.size());
    out += ':';
    out += key;
    out += 'i';
    out += std::to_string(v);
    out += 'e';
}

// The compact form, written straight out: it is most replies, and a dictionary tree of
// nodes would cost an allocation per key.
std::string compact_announce(const AnnounceOutcome& outcome, const std::vector<PeerInfo>& peers) {
    std::size_t v4 = 0;
    for (const auto& p : peers)
        v4 += p.endpoint.address.family == Family::v4;
    const std::size_t v6 = peers.size() - v4;
    std::string out;
    out.reserve(128 + v4 * 6 + v6 * 18);
    out += 'd';
    // Keys in bencode's sorted order.
    put_int(out, "complete", outcome.counts.seeders);
    put_int(out, "downloaded", outcome.counts.completed);
    put_int(out, "incomplete", outcome.counts.leechers);
    put_int(out, "interval", outcome.interval);
    put_int(out, "min interval", outcome.min_interval);
    for (const Family family : {Family::v4, Family::v6}) {
        const std::size_t n = family == Family::v4 ? v4 : v6;
        if (family == Family::v6 && n == 0)
            break;
        out += family == Family::v4 ? "5:peers" : "6:peers6";
        out += std::to_string(n * (family == Family::v4 ? 6 : 18));
        out += ':';
        for (const auto& p : peers) {
            if (p.endpoint.address.family != family)
                continue;
            out.append(reinterpret_cast<const char*>(p.endpoint.address.bytes.data()),
                       p.endpoint.address.size());
            out.push_back(static_cast<char>(p.endpoint.port >> 8));
            out.push_back(static_cast<char>(p.endpoint.port & 0xFF));
        }
    }
    out += 'e';
    return out;
}

}  // namespace

std::string bencode_announce(const AnnounceOutcome& outcome, const std::vector<PeerInfo>& peers,
                             bool compact, bool no_peer_id) {
    if (compact)
        return compact_announce(outcome, peers);
    Node::Dict d;
    d["complete"] = Node(static_cast<std::int64_t>(outcome.counts.seeders));
    d["incomplete"] = Node(static_cast<std::int64_t>(outcome.counts.leechers));
    d["downloaded"] = Node(static_cast<std::int64_t>(outcome.counts.completed));
    d["interval"] = Node(static_cast<std::int64_t>(outcome.interval));
    d["min interval"] = Node(static_cast<std::int64_t>(outcome.min_interval));
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
