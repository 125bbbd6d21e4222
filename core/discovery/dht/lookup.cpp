#include "discovery/dht/lookup.hpp"

#include <algorithm>

namespace shoal::dht {

void Lookup::add_candidates(const std::vector<NodeEntry>& nodes) {
    for (const auto& node : nodes) {
        const bool known = std::any_of(candidates_.begin(), candidates_.end(), [&](const auto& c) {
            return c.node.endpoint == node.endpoint || c.node.id == node.id;
        });
        if (known)
            continue;
        auto at = std::lower_bound(
            candidates_.begin(), candidates_.end(), node.id,
            [&](const Candidate& c, const NodeId& id) { return closer(target_, c.node.id, id); });
        candidates_.insert(at, Candidate{node, Status::fresh, {}});
    }
    // Forget the farthest candidates nobody has asked yet; those in flight or answered stay.
    while (candidates_.size() > limits_.max_candidates) {
        auto victim = std::find_if(candidates_.rbegin(), candidates_.rend(),
                                   [](const auto& c) { return c.status == Status::fresh; });
        if (victim == candidates_.rend())
            break;
        candidates_.erase(std::next(victim).base());
    }
}

void Lookup::add_seed(const Endpoint& endpoint) {
    const bool known = std::any_of(seeds_.begin(), seeds_.end(),
                                   [&](const auto& s) { return s.endpoint == endpoint; });
    if (!known)
        seeds_.push_back(Seed{endpoint, Status::fresh});
}

namespace {

template <class List, class Pred>
std::size_t count_status(const List& list, Pred pred) {
    return static_cast<std::size_t>(
        std::count_if(list.begin(), list.end(), [&](const auto& c) { return pred(c.status); }));
}

}  // namespace

std::size_t Lookup::in_flight() const {
    auto pred = [](Status s) { return s == Status::in_flight; };
    return count_status(candidates_, pred) + count_status(seeds_, pred);
}

void Lookup::on_slow(const Endpoint& endpoint) {
    for (auto& seed : seeds_) {
        if (seed.endpoint == endpoint && seed.status == Status::in_flight)
            seed.status = Status::slow;
    }
    for (auto& c : candidates_) {
        if (c.node.endpoint == endpoint && c.status == Status::in_flight)
            c.status = Status::slow;
    }
}

std::vector<Endpoint> Lookup::next_queries() {
    std::vector<Endpoint> out;
    std::size_t busy = in_flight();
    for (auto& seed : seeds_) {
        if (busy >= limits_.alpha)
            return out;
        if (seed.status == Status::fresh) {
            seed.status = Status::in_flight;
            out.push_back(seed.endpoint);
            ++busy;
            ++queried_;
        }
    }
    // Only the K closest candidates that have not failed are worth asking: once they have
    // all answered, nobody closer is left to learn of. Slow ones are left out of the count
    // so that the next candidate gets asked in their place.
    std::size_t window = 0;
    for (auto& c : candidates_) {
        if (busy >= limits_.alpha || window >= limits_.k)
            break;
        if (c.status == Status::failed || c.status == Status::slow)
            continue;
        ++window;
        if (c.status == Status::fresh) {
            c.status = Status::in_flight;
            out.push_back(c.node.endpoint);
            ++busy;
            ++queried_;
        }
    }
    return out;
}

void Lookup::on_reply(const Endpoint& endpoint, const NodeId& id,
                      std::optional<std::string> token) {
    for (auto& seed : seeds_) {
        if (seed.endpoint == endpoint && waiting(seed.status)) {
            seed.status = Status::replied;
            ++replied_;
            // A router that answers becomes a candidate like any other node: it may be close.
            if (!std::any_of(candidates_.begin(), candidates_.end(),
                             [&](const auto& c) { return c.node.endpoint == endpoint; })) {
                add_candidates({NodeEntry{id, endpoint}});
                for (auto& c : candidates_) {
                    if (c.node.endpoint == endpoint && c.node.id == id) {
                        c.status = Status::replied;
                        c.token = token.value_or("");
                    }
                }
            }
            return;
        }
    }
    for (auto& c : candidates_) {
        if (c.node.endpoint == endpoint && waiting(c.status)) {
            // A node that answers under another id than the one we were told is not the
            // node we were looking for; its nodes still count, its place does not.
            c.status = c.node.id == id ? Status::replied : Status::failed;
            c.token = token.value_or("");
            ++replied_;
            return;
        }
    }
}

void Lookup::on_failure(const Endpoint& endpoint) {
    for (auto& seed : seeds_) {
        if (seed.endpoint == endpoint && waiting(seed.status))
            seed.status = Status::failed;
    }
    for (auto& c : candidates_) {
        if (c.node.endpoint == endpoint && waiting(c.status))
            c.status = Status::failed;
    }
}

bool Lookup::done() const {
    // A slow node far outside the closest K does not hold the lookup open; one inside does.
    if (in_flight() > 0)
        return false;
    if (std::any_of(seeds_.begin(), seeds_.end(),
                    [](const auto& s) { return s.status == Status::fresh; }))
        return false;
    std::size_t window = 0;
    for (const auto& c : candidates_) {
        if (window >= limits_.k)
            break;
        if (c.status == Status::failed)
            continue;
        ++window;
        if (c.status == Status::fresh || c.status == Status::slow)
            return false;
    }
    return !std::any_of(seeds_.begin(), seeds_.end(),
                        [](const auto& s) { return s.status == Status::slow; });
}

std::vector<Lookup::Result> Lookup::closest_replied(std::size_t count) const {
    std::vector<Result> out;
    for (const auto& c : candidates_) {
        if (out.size() >= count)
            break;
        if (c.status == Status::replied)
            out.push_back(Result{c.node, c.token});
    }
    return out;
}

}  // namespace shoal::dht
