#include "tracker/announce_service.hpp"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <memory>
#include <tuple>

namespace shoal::tracker {
namespace {

// BEP 31 lets an HTTP reply say when to retry; UDP clients retry on their own schedule.
constexpr std::string_view k_store_unavailable = "tracker store unavailable; retry later";
constexpr std::string_view k_store_busy = "tracker busy; retry later";

Refusal store_refusal(StoreStatus status) {
    if (status == StoreStatus::busy)
        return {ErrorKind::store_busy, std::string(k_store_busy), 1};
    return {ErrorKind::store_unavailable, std::string(k_store_unavailable), 1};
}

// Runs a store operation whose callback may come before the operation returns (a store that
// is down or busy answers at once); such an early answer is posted, so that callers never see
// their callback inside their own call.
template <class... Args, class Operation, class Finish>
void call_store(const asio::any_io_executor& executor, Operation operation, Finish finish) {
    struct State {
        bool returned = false;
        std::function<void()> early;
    };
    auto state = std::make_shared<State>();
    auto f = std::make_shared<Finish>(std::move(finish));
    operation([state, f](Args... args) {
        if (state->returned) {
            (*f)(std::move(args)...);
            return;
        }
        state->early = [f, tuple = std::make_tuple(std::move(args)...)]() mutable {
            std::apply(*f, std::move(tuple));
        };
    });
    state->returned = true;
    if (state->early)
        asio::post(executor, std::move(state->early));
}

}  // namespace

AnnounceService::AnnounceService(const Config& config, SwarmStores stores,
                                 const SharedSnapshot<AccessPolicy>& access, Metrics& metrics,
                                 std::uint64_t seed)
    : config_(config), stores_(stores), access_(access), metrics_(metrics), rng_(seed) {}

std::optional<Refusal> AnnounceService::admit(const Announce& request, StoreAnnounce& s) {
    const AccessPolicy& policy = access_.get();
    if (!policy.passkey_allowed(request.passkey)) {
        return Refusal{ErrorKind::bad_passkey,
                       request.passkey.empty() ? "this tracker needs a passkey" : "unknown passkey"};
    }
    if (!policy.torrent_allowed(request.info_hash))
        return Refusal{ErrorKind::access_denied, "torrent not allowed on this tracker"};
    if (request.endpoint.port == 0)
        return Refusal{ErrorKind::bad_request, "invalid port"};
    s.info_hash = request.info_hash;
    s.endpoint = request.endpoint;
    s.event = request.event;
    s.seeding = request.seeding;
    s.numwant = std::min({request.numwant.value_or(config_.numwant_default), config_.numwant_max,
                          request.numwant_limit});
    s.families = request.families;
    return std::nullopt;
}

void AnnounceService::set_intervals(AnnounceOutcome& outcome, std::uint64_t random) const {
    const std::uint32_t jitter =
        config_.interval_jitter == 0
            ? 0
            : static_cast<std::uint32_t>((random >> 32) % (config_.interval_jitter + 1ull));
    outcome.interval = config_.interval + jitter;
    outcome.min_interval = config_.min_interval;
}

AnnounceOutcome AnnounceService::announce(const Announce& request, std::uint32_t now,
                                          std::vector<PeerInfo>& peers) {
    peers.clear();
    return announce_into(request, now, peers);
}

AnnounceOutcome AnnounceService::announce(const Announce& request, std::uint32_t now,
                                          std::vector<std::uint8_t>& compact) {
    return announce_into(request, now, compact);
}

template <class Out>
AnnounceOutcome AnnounceService::announce_into(const Announce& request, std::uint32_t now,
                                               Out& out) {
    AnnounceOutcome outcome;
    StoreAnnounce s;
    if ((outcome.refusal = admit(request, s)))
        return outcome;
    const std::uint64_t random = rng_();
    outcome.counts = stores_.memory->announce(s, now, random, out);
    set_intervals(outcome, random);
    return outcome;
}

std::optional<Refusal> AnnounceService::scrape(const std::vector<InfoHash>& hashes,
                                               std::string_view passkey,
                                               std::vector<ScrapeResult>& out) {
    out.clear();
    const AccessPolicy& policy = access_.get();
    if (!policy.passkey_allowed(passkey)) {
        return Refusal{ErrorKind::bad_passkey,
                       passkey.empty() ? "this tracker needs a passkey" : "unknown passkey"};
    }
    out.reserve(hashes.size());
    for (const auto& h : hashes) {
        ScrapeResult e;
        e.info_hash = h;
        e.allowed = policy.torrent_allowed(h);
        if (e.allowed && stores_.memory != nullptr) {
            if (auto c = stores_.memory->scrape(h))
                e.counts = *c;
        }
        out.push_back(e);
    }
    return std::nullopt;
}

void AnnounceService::post(std::function<void()> f) {
    asio::post(stores_.redis->executor(), std::move(f));
}

void AnnounceService::announce_later(const Announce& request, std::uint32_t now,
                                     AnnounceDone done) {
    if (stores_.redis == nullptr) {
        std::vector<PeerInfo> peers;
        AnnounceOutcome outcome = announce(request, now, peers);
        done(std::move(outcome), std::move(peers));
        return;
    }
    StoreAnnounce s;
    if (auto refusal = admit(request, s)) {
        post([done = std::move(done), r = std::move(*refusal)]() mutable {
            AnnounceOutcome outcome;
            outcome.refusal = std::move(r);
            done(std::move(outcome), {});
        });
        return;
    }
    const std::uint64_t random = rng_();
    auto finish = [this, random, done = std::move(done)](StoreStatus status, SwarmCounts counts,
                                                         std::vector<PeerInfo> peers) {
        AnnounceOutcome outcome;
        if (status != StoreStatus::ok) {
            outcome.refusal = store_refusal(status);
            peers.clear();
        } else {
            outcome.counts = counts;
            set_intervals(outcome, random);
        }
        done(std::move(outcome), std::move(peers));
    };
    call_store<StoreStatus, SwarmCounts, std::vector<PeerInfo>>(
        stores_.redis->executor(),
        [this, &s](auto callback) { stores_.redis->announce(s, std::move(callback)); },
        std::move(finish));
}

void AnnounceService::scrape_later(const std::vector<InfoHash>& hashes, std::string_view passkey,
                                   ScrapeDone done) {
    std::vector<ScrapeResult> results;
    auto refusal = scrape(hashes, passkey, results);
    if (stores_.redis == nullptr || refusal) {
        if (stores_.redis == nullptr) {
            done(std::move(refusal), std::move(results));
            return;
        }
        post([done = std::move(done), refusal = std::move(refusal)]() mutable {
            done(std::move(refusal), {});
        });
        return;
    }
    // Only the torrents the access list allows are looked up.
    std::vector<InfoHash> allowed;
    for (const auto& r : results) {
        if (r.allowed)
            allowed.push_back(r.info_hash);
    }
    if (allowed.empty()) {
        post([done = std::move(done), results = std::move(results)]() mutable {
            done(std::nullopt, std::move(results));
        });
        return;
    }
    auto finish = [this, done = std::move(done), results = std::move(results)](
                      StoreStatus status, std::vector<SwarmCounts> counts) mutable {
        if (status != StoreStatus::ok) {
            done(store_refusal(status), {});
            return;
        }
        std::size_t next = 0;
        for (auto& r : results) {
            if (r.allowed && next < counts.size())
                r.counts = counts[next++];
        }
        done(std::nullopt, std::move(results));
    };
    call_store<StoreStatus, std::vector<SwarmCounts>>(
        stores_.redis->executor(),
        [this, &allowed](auto callback) { stores_.redis->scrape(allowed, std::move(callback)); },
        std::move(finish));
}

}  // namespace shoal::tracker
