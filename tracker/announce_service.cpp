#include "tracker/announce_service.hpp"

#include <algorithm>

namespace shoal::tracker {

AnnounceService::AnnounceService(const Config& config, SwarmStore& store,
                                 const SharedSnapshot<AccessPolicy>& access, Metrics& metrics,
                                 std::uint64_t seed)
    : config_(config), store_(store), access_(access), metrics_(metrics), rng_(seed) {}

AnnounceOutcome AnnounceService::announce(const Announce& request, std::uint32_t now,
                                          std::vector<PeerInfo>& peers) {
    AnnounceOutcome outcome;
    peers.clear();
    const AccessPolicy& policy = access_.get();
    if (!policy.passkey_allowed(request.passkey)) {
        outcome.refusal =
            Refusal{ErrorKind::bad_passkey,
                    request.passkey.empty() ? "this tracker needs a passkey" : "unknown passkey"};
        return outcome;
    }
    if (!policy.torrent_allowed(request.info_hash)) {
        outcome.refusal = Refusal{ErrorKind::access_denied, "torrent not allowed on this tracker"};
        return outcome;
    }
    if (request.endpoint.port == 0) {
        outcome.refusal = Refusal{ErrorKind::bad_request, "invalid port"};
        return outcome;
    }
    StoreAnnounce s;
    s.info_hash = request.info_hash;
    s.peer_id = request.peer_id;
    s.endpoint = request.endpoint;
    s.event = request.event;
    s.seeding = request.seeding;
    s.numwant = std::min({request.numwant.value_or(config_.numwant_default), config_.numwant_max,
                          request.numwant_limit});
    s.families = request.families;
    s.with_peer_ids = request.with_peer_ids;
    const std::uint64_t random = rng_();
    outcome.counts = store_.announce(s, now, random, peers);
    const std::uint32_t jitter =
        config_.interval_jitter == 0
            ? 0
            : static_cast<std::uint32_t>((random >> 32) % (config_.interval_jitter + 1ull));
    outcome.interval = config_.interval + jitter;
    outcome.min_interval = config_.min_interval;
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
        if (e.allowed) {
            if (auto c = store_.scrape(h))
                e.counts = *c;
        }
        out.push_back(e);
    }
    return std::nullopt;
}

}  // namespace shoal::tracker
