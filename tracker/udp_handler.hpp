#pragma once
// Answers one UDP tracker datagram (BEP 15, 41); no sockets, so tests drive it directly.

#include <sys/socket.h>

#include <cstdint>
#include <functional>
#include <span>
#include <string_view>
#include <vector>

#include "tracker/announce_service.hpp"
#include "tracker/connection_id.hpp"

namespace shoal::tracker {

// Largest reply payload: a 1500-byte MTU less IPv6 (40) and UDP (8) headers.
constexpr std::size_t k_udp_max_reply = 1452;

// The passkey in BEP 41 URL data "/KEY/announce?...", or empty.
std::string_view passkey_from_url_data(std::string_view url_data);

// The sender's socket address as received, for a reply sent after handle() has returned.
struct UdpReturnPath {
    const sockaddr_storage* address = nullptr;
    socklen_t length = 0;
};

// Sends replies that were not ready while their datagram was handled (a shared store).
class UdpLateReplies {
  public:
    virtual void send_late(const sockaddr_storage& to, socklen_t length,
                           std::span<const std::uint8_t> reply) = 0;

  protected:
    ~UdpLateReplies() = default;
};

class UdpHandler {
  public:
    using Clock = std::function<std::uint32_t()>;

    // `id_clock` times connection ids; instances that share a key must share it too, so it
    // is the wall clock in the server. By default it is `clock`.
    UdpHandler(AnnounceService& service, ConnectionIds& ids, Clock clock, Clock id_clock = {});

    // Where replies that come later go; needed when the service answers later.
    void answer_later_through(UdpLateReplies& late) { late_ = &late; }

    // Writes the reply to `out`; false when the datagram gets no answer now (none at all, or
    // one sent later to `from` through answer_later_through's sender).
    bool handle(std::span<const std::uint8_t> packet, const PeerEndpoint& sender,
                std::vector<std::uint8_t>& out, UdpReturnPath from = {});

  private:
    bool error(std::vector<std::uint8_t>& out, std::uint32_t transaction_id, ErrorKind kind,
               std::string_view message);
    void log_announce(const Announce& request, std::uint64_t left, std::size_t peers,
                      const std::optional<Refusal>& refusal) const;
    // Copies the return path, for a callback.
    struct SavedPath {
        sockaddr_storage address;
        socklen_t length;
    };
    bool can_answer_later(UdpReturnPath from) const {
        return late_ != nullptr && from.address != nullptr;
    }

    AnnounceService& service_;
    ConnectionIds& ids_;
    Clock clock_;
    Clock id_clock_;
    UdpLateReplies* late_ = nullptr;
    std::vector<ScrapeResult> scrape_;
    std::vector<SwarmCounts> counts_;
    std::vector<InfoHash> hashes_;
};

}  // namespace shoal::tracker
