#pragma once
// A pseudo-random generator with 8 bytes of state (SplitMix64), for the choices every torrent
// makes (which piece to start with, which peer to unchoke optimistically). A daemon holds
// thousands of torrents, and std::mt19937 holds 5,000 bytes. Not for secrets or tokens.

#include <cstdint>
#include <limits>
#include <random>

namespace shoal {

class SmallRandom {
public:
    using result_type = std::uint64_t;

    // Seeded from std::random_device.
    SmallRandom() : state_(seed_from_device()) {}
    explicit SmallRandom(std::uint64_t seed) : state_(seed) {}

    static constexpr result_type min() { return 0; }
    static constexpr result_type max() { return std::numeric_limits<result_type>::max(); }

    result_type operator()() {
        std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }

private:
    static std::uint64_t seed_from_device() {
        std::random_device device;
        return (static_cast<std::uint64_t>(device()) << 32) ^ device();
    }

    std::uint64_t state_;
};

}  // namespace shoal
