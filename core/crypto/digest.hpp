#pragma once
// Fixed-size digests as strong types, so a SHA-1 and a SHA-256 value never mix.

#include <algorithm>
#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "util/encoding.hpp"

namespace shoal {

template <std::size_t N, class Tag>
struct Digest {
    static constexpr std::size_t size = N;
    std::array<std::uint8_t, N> bytes{};

    // From exactly N raw bytes.
    static std::optional<Digest> from_bytes(std::string_view raw) {
        if (raw.size() != N) return std::nullopt;
        Digest d;
        std::copy(raw.begin(), raw.end(), reinterpret_cast<char*>(d.bytes.data()));
        return d;
    }
    static std::optional<Digest> from_hex(std::string_view text) {
        if (text.size() != 2 * N) return std::nullopt;
        auto raw = shoal::from_hex(text);
        if (!raw) return std::nullopt;
        Digest d;
        std::copy(raw->begin(), raw->end(), d.bytes.begin());
        return d;
    }

    std::string hex() const { return to_hex(bytes); }
    std::string_view view() const {
        return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
    }
    bool is_zero() const {
        return std::all_of(bytes.begin(), bytes.end(), [](auto b) { return b == 0; });
    }
    auto operator<=>(const Digest&) const = default;
};

struct Sha1Tag;
struct Sha256Tag;
using Sha1Hash = Digest<20, Sha1Tag>;
using Sha256Hash = Digest<32, Sha256Tag>;

}  // namespace shoal
