#pragma once
// Counters every frontend bumps, rendered as Prometheus text and as a small JSON document.

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "tracker/store_health.hpp"
#include "tracker/swarm_store.hpp"

namespace shoal::tracker {

enum class ErrorKind : std::size_t {
    bad_request,        // malformed announce or scrape parameters
    access_denied,      // torrent not allowed
    bad_passkey,        // private mode without a known key
    bad_connection_id,  // UDP id expired or forged
    bad_packet,         // UDP datagram that is not a tracker request
    http_parse,         // not HTTP, or over the header/body limit
    timeout,            // HTTP request not received in time
    connection_limit,   // HTTP connection refused at the limit
    not_found,          // unknown HTTP path
    internal,           // a bug or resource exhaustion; logged
    store_unavailable,  // the shared swarm store did not answer
    store_busy,         // too many requests waiting for the shared swarm store
    count_
};

std::string_view error_kind_name(ErrorKind kind);

enum class Protocol : std::size_t { http, udp, count_ };

class Metrics {
  public:
    void announce(Protocol p) { bump(announces_[index(p)]); }
    void scrape(Protocol p) { bump(scrapes_[index(p)]); }
    void connect() { bump(connects_); }
    void error(ErrorKind k) { bump(errors_[static_cast<std::size_t>(k)]); }
    void connection_opened() { open_connections_.fetch_add(1, std::memory_order_relaxed); }
    void connection_closed() { open_connections_.fetch_sub(1, std::memory_order_relaxed); }
    std::int64_t open_connections() const {
        return open_connections_.load(std::memory_order_relaxed);
    }

    std::uint64_t announces(Protocol p) const { return load(announces_[index(p)]); }
    std::uint64_t scrapes(Protocol p) const { return load(scrapes_[index(p)]); }
    std::uint64_t errors(ErrorKind k) const { return load(errors_[static_cast<std::size_t>(k)]); }

    // `totals` is null when the swarms are in a shared store (counting them there would
    // read every swarm); `store` is its health, or null for the in-memory store.
    std::string prometheus(const StoreTotals* totals, const StoreHealth* store) const;
    std::string json(const StoreTotals* totals, const StoreHealth* store,
                     std::uint64_t uptime_seconds) const;

  private:
    // Each counter on its own cache line: threads bump them on every request.
    struct alignas(64) Counter {
        std::atomic<std::uint64_t> v{0};
    };
    static void bump(Counter& c) { c.v.fetch_add(1, std::memory_order_relaxed); }
    static std::uint64_t load(const Counter& c) { return c.v.load(std::memory_order_relaxed); }
    static std::size_t index(Protocol p) { return static_cast<std::size_t>(p); }

    std::array<Counter, static_cast<std::size_t>(Protocol::count_)> announces_{};
    std::array<Counter, static_cast<std::size_t>(Protocol::count_)> scrapes_{};
    Counter connects_;
    std::array<Counter, static_cast<std::size_t>(ErrorKind::count_)> errors_{};
    std::atomic<std::int64_t> open_connections_{0};
};

}  // namespace shoal::tracker
