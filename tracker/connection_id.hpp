#pragma once
// Stateless UDP connection ids (BEP 15): a keyed MAC (SipHash-2-4) over the client's address
// and a coarse timestamp, so the tracker remembers nothing between connect and announce.
//
// The source port is left out, as opentracker and aquatic do: a NAT may rebind it between
// connect and announce, and libtorrent shares one cached id among all sessions of a process,
// each sending from its own port. Against spoofing (BEP 15's purpose: a forged source address
// must not get announced) the address is what matters.

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>

#include "tracker/types.hpp"

namespace shoal::tracker {

using MacKey = std::array<std::uint8_t, 32>;

// The current and previous MAC keys, shared by all threads. Rotating keeps the previous
// key valid, so ids issued just before a rotation still work. Keys derived from a shared
// secret also have a next one: an instance whose clock runs a little ahead may already issue
// ids under it.
class ConnectionKeyRing {
  public:
    ConnectionKeyRing();  // two random keys
    ConnectionKeyRing(const MacKey& current, const MacKey& previous);

    void rotate();  // previous = current, current = a fresh random key
    void rotate_to(const MacKey& next);
    void set(const MacKey& current, const MacKey& previous,
             const std::optional<MacKey>& next = std::nullopt);

    struct Keys {
        MacKey current;
        MacKey previous;
        std::optional<MacKey> next;
        std::uint64_t generation;
    };
    Keys keys() const;
    std::uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

  private:
    mutable std::mutex mutex_;
    MacKey current_{};
    MacKey previous_{};
    std::optional<MacKey> next_;
    std::atomic<std::uint64_t> generation_{1};
};

// The key of one rotation period derived from a secret that several instances share, so that
// each accepts the ids the others issue: HMAC-SHA256(secret, label || period).
MacKey derive_connection_key(std::string_view secret, std::uint64_t period);

// Issues and checks ids; one object per thread (it owns OpenSSL MAC contexts).
class ConnectionIds {
  public:
    // Ids are accepted for between k_max_age_ticks and k_max_age_ticks + 1 ticks, and from
    // one tick ahead (another instance's clock running ahead).
    static constexpr std::uint32_t k_tick_seconds = 16;
    static constexpr std::uint32_t k_max_age_ticks = 7;

    explicit ConnectionIds(const ConnectionKeyRing& ring);
    ~ConnectionIds();
    ConnectionIds(const ConnectionIds&) = delete;
    ConnectionIds& operator=(const ConnectionIds&) = delete;

    // `now` is in seconds on any clock that both calls share. Only client.address counts:
    // an id issued to one port of an address is valid from any port of it.
    std::uint64_t issue(const PeerEndpoint& client, std::uint32_t now);
    bool verify(std::uint64_t id, const PeerEndpoint& client, std::uint32_t now);

  private:
    struct Mac;
    void refresh();
    bool mac(int which, const PeerEndpoint& client, std::uint16_t tick,
             std::array<std::uint8_t, 6>& out);

    const ConnectionKeyRing& ring_;
    std::uint64_t generation_ = 0;
    std::unique_ptr<Mac> macs_[3];  // current, previous, next (none without a shared secret)
};

}  // namespace shoal::tracker
