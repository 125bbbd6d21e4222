#pragma once
// uTP's 16-bit packet sequence numbers, which wrap from 0xFFFF to 0: ordering and distances
// read modulo 2^16, a number being "before" another when it is less than half the space behind.

#include <cstdint>

namespace shoal::utp {

// `b` minus `a`, counted forwards from `a` (0 to 0xFFFF).
constexpr std::uint16_t seq_distance(std::uint16_t a, std::uint16_t b) {
    return static_cast<std::uint16_t>(b - a);
}

// Whether `a` comes before `b`: `b` lies less than half the sequence space ahead of `a`.
constexpr bool seq_less(std::uint16_t a, std::uint16_t b) {
    const std::uint16_t d = seq_distance(a, b);
    return d != 0 && d < 0x8000;
}

constexpr bool seq_less_equal(std::uint16_t a, std::uint16_t b) {
    return a == b || seq_less(a, b);
}

// `a` moved `n` forwards (negative `n` moves back), wrapping.
constexpr std::uint16_t seq_add(std::uint16_t a, int n) {
    return static_cast<std::uint16_t>(a + static_cast<std::uint16_t>(n));
}

// Whether `x` lies in the half-open range (`first`, `last`], read forwards from `first`.
constexpr bool seq_in_range(std::uint16_t first, std::uint16_t x, std::uint16_t last) {
    const std::uint16_t dx = seq_distance(first, x);
    return dx != 0 && dx <= seq_distance(first, last);
}

}  // namespace shoal::utp
