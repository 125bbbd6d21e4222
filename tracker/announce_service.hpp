#pragma once
// The protocol-independent part of announce and scrape: access checks, numwant, interval,
// the store. Frontends parse their wire format into these requests. One object per thread.

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "tracker/access_list.hpp"
#include "tracker/config.hpp"
#include "tracker/metrics.hpp"
#include "tracker/snapshot.hpp"
#include "tracker/swarm_store.hpp"

namespace shoal::tracker {

struct Refusal {
    ErrorKind kind;
    std::string message;  // sent as the failure reason
};

// An announce as the service sees it, whichever frontend parsed it (the wire forms are
// tracker_protocol's): who and where the peer is, and what its frontend can carry back.
struct Announce {
    InfoHash info_hash;
    PeerId peer_id;
    PeerEndpoint endpoint;
    AnnounceEvent event = AnnounceEvent::none;
    bool seeding = false;
    std::optional<std::uint32_t> numwant;
    FamilyMask families;
    std::string_view passkey;
    std::uint32_t numwant_limit = 0xFFFFFFFFu;  // the frontend's own cap (datagram size)
    bool with_peer_ids = true;                  // false when the reply format has no ids
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

class AnnounceService {
  public:
    AnnounceService(const Config& config, SwarmStore& store,
                    const SharedSnapshot<AccessPolicy>& access, Metrics& metrics,
                    std::uint64_t seed);

    // Fills `peers` (cleared first) on success.
    AnnounceOutcome announce(const Announce& request, std::uint32_t now,
                             std::vector<PeerInfo>& peers);

    // Counts for each hash, in order; hashes the access list refuses come back zero with
    // allowed = false. A refusal only for a bad passkey.
    std::optional<Refusal> scrape(const std::vector<InfoHash>& hashes, std::string_view passkey,
                                  std::vector<ScrapeResult>& out);

    const Config& config() const { return config_; }
    const AccessPolicy& access() { return access_.get(); }
    Metrics& metrics() { return metrics_; }
    const SwarmStore& store() const { return store_; }

  private:
    const Config& config_;
    SwarmStore& store_;
    SnapshotReader<AccessPolicy> access_;
    Metrics& metrics_;
    std::mt19937_64 rng_;
};

}  // namespace shoal::tracker
