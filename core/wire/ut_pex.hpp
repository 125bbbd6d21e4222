#pragma once
// ut_pex (BEP 11): peer exchange payloads, and the per-recipient bookkeeping that turns the
// set of peers we are connected to into added/dropped messages.

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ip/tcp.hpp>

#include "util/result.hpp"

namespace shoal::wire {

using PeerEndpoint = boost::asio::ip::tcp::endpoint;

// Per-peer flags of `added.f` / `added6.f`.
namespace pex_flag {
constexpr std::uint8_t prefers_encryption = 0x01;
constexpr std::uint8_t seed = 0x02;
constexpr std::uint8_t supports_utp = 0x04;
constexpr std::uint8_t holepunch = 0x08;
constexpr std::uint8_t reachable = 0x10;
}  // namespace pex_flag

struct PexPeer {
    PeerEndpoint endpoint;
    std::uint8_t flags = 0;
    bool operator==(const PexPeer&) const = default;
    bool operator<(const PexPeer& o) const {
        return endpoint < o.endpoint || (endpoint == o.endpoint && flags < o.flags);
    }
};

// IPv4 and IPv6 peers together; the encoder splits them into the v4 and v6 fields.
struct PexMessage {
    std::vector<PexPeer> added;
    std::vector<PeerEndpoint> dropped;
};

// BEP 11 asks for at most 50 added and 50 dropped contacts (v4 and v6 together) per message,
// except the first one; the decoder therefore keeps the first `max_added` / `max_dropped`
// (IPv4 before IPv6) and ignores the rest rather than refusing the message. Fields longer
// than `max_field_bytes` are refused: no honest message comes near.
struct PexLimits {
    std::size_t max_added = 50;
    std::size_t max_dropped = 50;
    std::size_t max_field_bytes = 18 * 1000;
};

// Decodes a ut_pex payload (after the extended id byte). Errors: not a dictionary, a field
// that is no string, compact lengths not a multiple of 6 (18 for IPv6), flags whose length
// differs from the peer count. Port 0 entries and duplicates are dropped; so is a contact that
// is both added and dropped. IPv4-mapped IPv6 addresses come back as IPv4. The result is in the
// order encode_pex writes it: every IPv4 contact (those of added/dropped, then the IPv4-mapped
// ones of added6/dropped6), then the IPv6 ones, each in message order; so decoding what
// encode_pex made of a decoded message gives that message back.
Result<PexMessage> decode_pex(std::string_view payload, const PexLimits& limits = {});

// Encodes a payload with every field present (empty strings where there is nothing),
// keys sorted; IPv4-mapped addresses go into the IPv4 fields. No limit is applied here.
std::string encode_pex(const PexMessage& message);

// What one recipient has been told: produces at most one message a minute, carrying the
// difference between the peers we are connected to now and those it already knows about.
// Contacts beyond the per-message limit stay queued for the next message.
class PexTracker {
  public:
    using Clock = std::chrono::steady_clock;
    static constexpr std::chrono::seconds k_min_interval{60};

    // `recipient` is never mentioned to itself.
    explicit PexTracker(PeerEndpoint recipient, std::size_t max_per_message = 50);

    // The message to send now, or nothing (too soon since the last one, or no change).
    std::optional<PexMessage> update(const std::vector<PexPeer>& connected, Clock::time_point now);

    // What the recipient currently believes we are connected to.
    const std::set<PeerEndpoint>& advertised() const { return advertised_; }

  private:
    PeerEndpoint recipient_;
    std::size_t max_per_message_;
    std::set<PeerEndpoint> advertised_;
    std::optional<Clock::time_point> last_sent_;
};

}  // namespace shoal::wire
