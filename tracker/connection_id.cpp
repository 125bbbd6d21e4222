#include "tracker/connection_id.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "tracker/siphash.hpp"

namespace shoal::tracker {
namespace {

MacKey random_key() {
    MacKey k{};
    if (RAND_bytes(k.data(), static_cast<int>(k.size())) != 1) {
        // Without randomness ids would be forgeable; refusing to start is the only safe choice.
        throw std::runtime_error("cannot get random bytes for the connection id key");
    }
    return k;
}

}  // namespace

ConnectionKeyRing::ConnectionKeyRing() : current_(random_key()), previous_(random_key()) {}

ConnectionKeyRing::ConnectionKeyRing(const MacKey& current, const MacKey& previous)
    : current_(current), previous_(previous) {}

void ConnectionKeyRing::rotate() {
    rotate_to(random_key());
}

void ConnectionKeyRing::rotate_to(const MacKey& next) {
    std::lock_guard lock(mutex_);
    previous_ = current_;
    current_ = next;
    next_.reset();
    generation_.fetch_add(1, std::memory_order_release);
}

void ConnectionKeyRing::set(const MacKey& current, const MacKey& previous,
                            const std::optional<MacKey>& next) {
    std::lock_guard lock(mutex_);
    if (current == current_ && previous == previous_ && next == next_)
        return;
    current_ = current;
    previous_ = previous;
    next_ = next;
    generation_.fetch_add(1, std::memory_order_release);
}

MacKey derive_connection_key(std::string_view secret, std::uint64_t period) {
    std::array<unsigned char, 40> message{};
    constexpr std::string_view label = "shoal-tracker connection id key";
    std::memcpy(message.data(), label.data(), label.size());
    for (int i = 0; i < 8; ++i)
        message[label.size() + i] = static_cast<unsigned char>(period >> (56 - 8 * i));
    MacKey key{};
    std::size_t length = 0;
    if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, secret.data(), secret.size(),
                  message.data(), label.size() + 8, key.data(), key.size(), &length) == nullptr ||
        length != key.size()) {
        throw std::runtime_error("OpenSSL HMAC-SHA256 is not available");
    }
    return key;
}

ConnectionKeyRing::Keys ConnectionKeyRing::keys() const {
    std::lock_guard lock(mutex_);
    return {current_, previous_, next_, generation_.load(std::memory_order_acquire)};
}

// One key's SipHash key: the first half of the 32-byte key (random, or derived by HMAC).
struct ConnectionIds::Mac {
    SipKey key{};
    explicit Mac(const MacKey& k) { std::copy_n(k.begin(), key.size(), key.begin()); }
};

ConnectionIds::ConnectionIds(const ConnectionKeyRing& ring) : ring_(ring) {
    refresh();
}

ConnectionIds::~ConnectionIds() = default;

void ConnectionIds::refresh() {
    const auto keys = ring_.keys();
    macs_[0] = std::make_unique<Mac>(keys.current);
    macs_[1] = std::make_unique<Mac>(keys.previous);
    macs_[2] = keys.next ? std::make_unique<Mac>(*keys.next) : nullptr;
    generation_ = keys.generation;
}

bool ConnectionIds::mac(int which, const PeerEndpoint& client, std::uint16_t tick,
                        std::array<std::uint8_t, 6>& out) {
    // The address only: the port may differ between connect and announce (see the header).
    std::uint8_t msg[16 + 1 + 2];
    std::memcpy(msg, client.address.bytes.data(), 16);
    msg[16] = static_cast<std::uint8_t>(client.address.family);
    msg[17] = static_cast<std::uint8_t>(tick >> 8);
    msg[18] = static_cast<std::uint8_t>(tick);
    const std::uint64_t tag = siphash24(macs_[which]->key, msg);
    for (std::size_t i = 0; i < out.size(); ++i)
        out[i] = static_cast<std::uint8_t>(tag >> (8 * i));
    return true;
}

std::uint64_t ConnectionIds::issue(const PeerEndpoint& client, std::uint32_t now) {
    if (ring_.generation() != generation_)
        refresh();
    const auto tick = static_cast<std::uint16_t>(now / k_tick_seconds);
    std::array<std::uint8_t, 6> tag{};
    if (!mac(0, client, tick, tag))
        tag.fill(0);  // an all-zero tag never verifies as valid
    std::uint64_t id = tick;
    for (auto b : tag)
        id = (id << 8) | b;
    return id;
}

bool ConnectionIds::verify(std::uint64_t id, const PeerEndpoint& client, std::uint32_t now) {
    if (ring_.generation() != generation_)
        refresh();
    const auto tick = static_cast<std::uint16_t>(id >> 48);
    const auto now_tick = static_cast<std::uint16_t>(now / k_tick_seconds);
    const auto age = static_cast<std::uint16_t>(now_tick - tick);
    constexpr std::uint16_t k_one_tick_ahead = 0xFFFF;
    if (age > k_max_age_ticks && age != k_one_tick_ahead)
        return false;
    std::array<std::uint8_t, 6> given{};
    for (int i = 5; i >= 0; --i) {
        given[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(id);
        id >>= 8;
    }
    for (int which = 0; which < 3; ++which) {
        if (!macs_[which])
            continue;
        std::array<std::uint8_t, 6> expected{};
        if (!mac(which, client, tick, expected))
            return false;
        if (CRYPTO_memcmp(expected.data(), given.data(), given.size()) == 0)
            return true;
    }
    return false;
}

}  // namespace shoal::tracker
