#include "discovery/dht/routing_table.hpp"

#include <algorithm>

namespace shoal::dht {
namespace {

// Finds the entry at `endpoint` in `entries`.
auto find_endpoint(std::vector<RoutingEntry>& entries, const Endpoint& endpoint) {
    return std::find_if(entries.begin(), entries.end(),
                        [&](const RoutingEntry& e) { return e.node.endpoint == endpoint; });
}

void record(RoutingEntry& entry, RoutingTable::Seen how, TimePoint now) {
    if (how == RoutingTable::Seen::replied) {
        entry.last_reply = now;
        entry.failed_queries = 0;
    } else {
        entry.last_query = now;
    }
}

}  // namespace

NodeState RoutingEntry::state(TimePoint now, const RoutingLimits& limits) const {
    if (failed_queries >= limits.max_failures)
        return NodeState::bad;
    if (last_reply && now - *last_reply < limits.good_for)
        return NodeState::good;
    // BEP 5: a node that has ever replied and queried us recently is good too.
    if (last_reply && last_query && now - *last_query < limits.good_for)
        return NodeState::good;
    return NodeState::questionable;
}

RoutingTable::RoutingTable(NodeId own_id, TimePoint now, RoutingLimits limits)
    : own_id_(own_id), limits_(limits) {
    buckets_.push_back(Bucket{{}, {}, now});
}

std::size_t RoutingTable::bucket_index(const NodeId& id) const {
    const auto prefix = static_cast<std::size_t>(common_prefix_bits(own_id_, id));
    return std::min(prefix, buckets_.size() - 1);
}

bool RoutingTable::ip_allowed(const Bucket& bucket, const Address& ip) const {
    std::size_t same = 0;
    for (const auto* list : {&bucket.live, &bucket.replacements}) {
        for (const auto& e : *list)
            same += e.node.endpoint.address() == ip ? 1 : 0;
    }
    return same < limits_.max_per_ip_per_bucket;
}

void RoutingTable::split_last() {
    const std::size_t old_index = buckets_.size() - 1;
    buckets_.push_back(Bucket{{}, {}, buckets_[old_index].touched});
    Bucket& old_bucket = buckets_[old_index];
    Bucket& new_bucket = buckets_.back();
    for (auto which : {&Bucket::live, &Bucket::replacements}) {
        auto& from = old_bucket.*which;
        auto moved = std::stable_partition(from.begin(), from.end(), [&](const RoutingEntry& e) {
            return static_cast<std::size_t>(common_prefix_bits(own_id_, e.node.id)) == old_index;
        });
        (new_bucket.*which).assign(moved, from.end());
        from.erase(moved, from.end());
    }
    for (auto* bucket : {&old_bucket, &new_bucket}) {
        while (bucket->live.size() < limits_.bucket_size && !bucket->replacements.empty())
            promote_replacement(*bucket);
    }
}

void RoutingTable::promote_replacement(Bucket& bucket) {
    if (bucket.replacements.empty())
        return;
    // Prefer the replacement that replied most recently: it is the likeliest to be alive.
    auto best = std::max_element(
        bucket.replacements.begin(), bucket.replacements.end(),
        [](const RoutingEntry& a, const RoutingEntry& b) { return a.last_reply < b.last_reply; });
    bucket.live.push_back(*best);
    bucket.replacements.erase(best);
}

void RoutingTable::add_replacement(Bucket& bucket, const RoutingEntry& entry) const {
    if (bucket.replacements.size() >= limits_.replacements_per_bucket)
        bucket.replacements.erase(bucket.replacements.begin());
    bucket.replacements.push_back(entry);
}

bool RoutingTable::on_contact(const NodeEntry& node, Seen how, TimePoint now, bool verified) {
    if (node.id == own_id_)
        return false;
    // One entry per address: the same endpoint may not hold two ids.
    for (std::size_t i = 0; i < buckets_.size(); ++i) {
        Bucket& bucket = buckets_[i];
        if (auto it = find_endpoint(bucket.live, node.endpoint); it != bucket.live.end()) {
            if (it->node.id == node.id) {
                record(*it, how, now);
                it->verified = verified;
                if (how == Seen::replied)
                    bucket.touched = now;
                return true;
            }
            // A live node keeps its address; a new id there is believed only once the
            // old one has gone bad.
            if (it->state(now, limits_) != NodeState::bad)
                return false;
            bucket.live.erase(it);
            promote_replacement(bucket);
            break;
        }
        if (auto it = find_endpoint(bucket.replacements, node.endpoint);
            it != bucket.replacements.end()) {
            if (it->node.id == node.id) {
                record(*it, how, now);
                return false;
            }
            bucket.replacements.erase(it);
            break;
        }
    }

    RoutingEntry entry{node, std::nullopt, std::nullopt, now, 0, verified};
    record(entry, how, now);
    for (;;) {
        const std::size_t index = bucket_index(node.id);
        Bucket& bucket = buckets_[index];
        if (!ip_allowed(bucket, node.endpoint.address()))
            return false;
        if (bucket.live.size() < limits_.bucket_size) {
            bucket.live.push_back(entry);
            bucket.touched = now;
            return true;
        }
        if (index + 1 == buckets_.size() && buckets_.size() < 160) {
            split_last();
            continue;
        }
        auto bad = std::find_if(bucket.live.begin(), bucket.live.end(), [&](const auto& e) {
            return e.state(now, limits_) == NodeState::bad;
        });
        if (bad != bucket.live.end()) {
            *bad = entry;
            bucket.touched = now;
            return true;
        }
        if (verified) {
            auto unverified = std::find_if(bucket.live.begin(), bucket.live.end(),
                                           [](const auto& e) { return !e.verified; });
            if (unverified != bucket.live.end()) {
                add_replacement(bucket, *unverified);
                *unverified = entry;
                bucket.touched = now;
                return true;
            }
        }
        add_replacement(bucket, entry);
        return false;
    }
}

void RoutingTable::on_timeout(const Endpoint& endpoint, TimePoint now) {
    for (auto& bucket : buckets_) {
        if (auto it = find_endpoint(bucket.live, endpoint); it != bucket.live.end()) {
            ++it->failed_queries;
            if (it->state(now, limits_) == NodeState::bad && !bucket.replacements.empty()) {
                bucket.live.erase(it);
                promote_replacement(bucket);
            }
            return;
        }
        if (auto it = find_endpoint(bucket.replacements, endpoint);
            it != bucket.replacements.end()) {
            bucket.replacements.erase(it);
            return;
        }
    }
}

void RoutingTable::remove(const Endpoint& endpoint) {
    for (auto& bucket : buckets_) {
        if (auto it = find_endpoint(bucket.live, endpoint); it != bucket.live.end()) {
            bucket.live.erase(it);
            promote_replacement(bucket);
            return;
        }
        if (auto it = find_endpoint(bucket.replacements, endpoint);
            it != bucket.replacements.end()) {
            bucket.replacements.erase(it);
            return;
        }
    }
}

std::vector<NodeEntry> RoutingTable::closest(const NodeId& target, std::size_t count) const {
    std::vector<NodeEntry> all;
    for (const auto& bucket : buckets_) {
        for (const auto& e : bucket.live) {
            if (e.failed_queries < limits_.max_failures)
                all.push_back(e.node);
        }
    }
    auto by_distance = [&](const NodeEntry& a, const NodeEntry& b) {
        return closer(target, a.id, b.id);
    };
    const auto keep = std::min(count, all.size());
    std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(keep), all.end(),
                      by_distance);
    all.resize(keep);
    return all;
}

std::vector<NodeEntry> RoutingTable::good_nodes(TimePoint now) const {
    std::vector<NodeEntry> out;
    for (const auto& bucket : buckets_) {
        for (const auto& e : bucket.live) {
            if (e.state(now, limits_) == NodeState::good)
                out.push_back(e.node);
        }
    }
    return out;
}

std::vector<NodeEntry> RoutingTable::nodes_to_ping(TimePoint now) const {
    std::vector<NodeEntry> out;
    for (const auto& bucket : buckets_) {
        const RoutingEntry* stalest = nullptr;
        for (const auto& e : bucket.live) {
            if (e.state(now, limits_) != NodeState::questionable)
                continue;
            if (!stalest || e.last_reply < stalest->last_reply)
                stalest = &e;
        }
        if (stalest)
            out.push_back(stalest->node);
    }
    return out;
}

std::vector<NodeId> RoutingTable::refresh_targets(TimePoint now, std::mt19937_64& rng) {
    std::vector<NodeId> out;
    for (std::size_t i = 0; i < buckets_.size(); ++i) {
        if (now - buckets_[i].touched < limits_.refresh_after)
            continue;
        out.push_back(random_id_in_bucket(own_id_, static_cast<int>(i), rng));
        buckets_[i].touched = now;
    }
    return out;
}

void RoutingTable::touch(const NodeId& target, TimePoint now) {
    buckets_[bucket_index(target)].touched = now;
}

const RoutingEntry* RoutingTable::find(const Endpoint& endpoint) const {
    for (const auto& bucket : buckets_) {
        for (const auto& e : bucket.live) {
            if (e.node.endpoint == endpoint)
                return &e;
        }
    }
    return nullptr;
}

std::size_t RoutingTable::size() const {
    std::size_t n = 0;
    for (const auto& bucket : buckets_)
        n += bucket.live.size();
    return n;
}

}  // namespace shoal::dht
