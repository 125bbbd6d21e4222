#pragma once
// The protocol-independent part of announce and scrape: access checks, numwant, interval,
// the store. Frontends parse their wire format into these requests. One object per thread.

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <functional>
#include <vector>

#include "tracker/access_list.hpp"
#include "tracker/config.hpp"
#include "tracker/metrics.hpp"
#include "tracker/redis_store.hpp"
#include "tracker/snapshot.hpp"
#include "tracker/store_health.hpp"
#include "tracker/swarm_store.hpp"

namespace shoal::tracker {

struct Refusal {
    ErrorKind kind;
    std::string message;                // sent as the failure reason
    std::uint32_t retry_in_minutes = 0;  // BEP 31 "retry in" for HTTP; 0 leaves it out
};

// An announce as the service sees it, whichever frontend parsed it (the wire forms are
// tracker_protocol's): who and where the peer is, and what its frontend can carry back.
struct Announce {
    InfoHash info_hash;
    PeerEndpoint endpoint;
    AnnounceEvent event = AnnounceEvent::none;
    bool seeding = false;
    std::optional<std::uint32_t> numwant;
    FamilyMask families;
    std::string_view passkey;
    std::uint32_t numwant_limit = 0xFFFFFFFFu;  // the frontend's own cap (datagram size)
};

struct AnnounceOutcome {
    std::optional<Refusal> refusal;
    SwarmCounts counts;
    std::uint32_t interval = 0;
    std::uint32_t min_interval = 0;
};

// One torrent's counts for a scrape reply, or allowed = false when the access list refuses it.
struct ScrapeResult {
    InfoHash info_hash;
    SwarmCounts counts;
    bool allowed = true;
};

// Where the swarms are: this process's memory (answers at once), or Redis shared with other
// instances (answers later, through the callback forms).
struct SwarmStores {
    SwarmStore* memory = nullptr;
    RedisStore* redis = nullptr;
    StoreHealth* health = nullptr;  // with redis
};

class AnnounceService {
  public:
    AnnounceService(const Config& config, SwarmStores stores,
                    const SharedSnapshot<AccessPolicy>& access, Metrics& metrics,
                    std::uint64_t seed);
    AnnounceService(const Config& config, SwarmStore& store,
                    const SharedSnapshot<AccessPolicy>& access, Metrics& metrics,
                    std::uint64_t seed)
        : AnnounceService(config, SwarmStores{&store}, access, metrics, seed) {}

    // True when announces and scrapes must use the callback forms.
    bool answers_later() const { return stores_.redis != nullptr; }

    // In-memory store: fills `peers` (cleared first) on success.
    AnnounceOutcome announce(const Announce& request, std::uint32_t now,
                             std::vector<PeerInfo>& peers);
    // In-memory store: appends the peers compact to `compact` (each address then its port
    // in network order, as a UDP reply carries them) on success.
    AnnounceOutcome announce(const Announce& request, std::uint32_t now,
                             std::vector<std::uint8_t>& compact);

    // Counts for each hash, in order; hashes the access list refuses come back zero with
    // allowed = false. A refusal only for a bad passkey.
    std::optional<Refusal> scrape(const std::vector<InfoHash>& hashes, std::string_view passkey,
                                  std::vector<ScrapeResult>& out);

    // Either store. `done` is called once, on this thread: with Redis never before the call
    // returns (and not at all if the thread stops first), with the in-memory store before it
    // returns. `request.passkey` is needed only during the call.
    using AnnounceDone = std::function<void(AnnounceOutcome, std::vector<PeerInfo>)>;
    void announce_later(const Announce& request, std::uint32_t now, AnnounceDone done);
    using ScrapeDone = std::function<void(std::optional<Refusal>, std::vector<ScrapeResult>)>;
    void scrape_later(const std::vector<InfoHash>& hashes, std::string_view passkey,
                      ScrapeDone done);

    const Config& config() const { return config_; }
    const AccessPolicy& access() { return access_.get(); }
    Metrics& metrics() { return metrics_; }
    // The in-memory store, or nullptr with Redis.
    const SwarmStore* memory_store() const { return stores_.memory; }
    const StoreHealth* store_health() const { return stores_.health; }

  private:
    // The access checks; on success fills `out` for the store.
    std::optional<Refusal> admit(const Announce& request, StoreAnnounce& out);
    void set_intervals(AnnounceOutcome& outcome, std::uint64_t random) const;
    template <class Out>
    AnnounceOutcome announce_into(const Announce& request, std::uint32_t now, Out& out);
    // Runs `f` on this thread after the current handler, so callers never see `done` early.
    void post(std::function<void()> f);

    const Config& config_;
    SwarmStores stores_;
    SnapshotReader<AccessPolicy> access_;
    Metrics& metrics_;
    std::mt19937_64 rng_;
};

}  // namespace shoal::tracker
