#pragma once
// Small builders shared by the tracker unit tests.

#include <string>

#include "tracker/types.hpp"

namespace shoal::tracker::test {

inline InfoHash hash_of(int n) {
    InfoHash h;
    for (std::size_t i = 0; i < h.bytes.size(); ++i) {
        h.bytes[i] = static_cast<std::uint8_t>(n * 7 + static_cast<int>(i));
    }
    // Distinct for every n, not just modulo 256.
    h.bytes[0] = static_cast<std::uint8_t>(n >> 24);
    h.bytes[1] = static_cast<std::uint8_t>(n >> 16);
    h.bytes[2] = static_cast<std::uint8_t>(n >> 8);
    return h;
}

inline PeerId id_of(int n) {
    PeerId id;
    for (std::size_t i = 0; i < id.bytes.size(); ++i) {
        id.bytes[i] = static_cast<std::uint8_t>('A' + (n + static_cast<int>(i)) % 26);
    }
    return id;
}

inline PeerEndpoint v4(std::uint32_t host, std::uint16_t port) {
    return PeerEndpoint{IpAddress::v4(host), port};
}

inline PeerEndpoint v6(std::uint8_t last, std::uint16_t port) {
    PeerEndpoint e;
    e.address.family = Family::v6;
    e.address.bytes[0] = 0x20;
    e.address.bytes[1] = 0x01;
    e.address.bytes[15] = last;
    e.port = port;
    return e;
}

inline std::string percent_encode(std::string_view raw) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : raw) {
        out += '%';
        out += hex[c >> 4];
        out += hex[c & 15];
    }
    return out;
}

}  // namespace shoal::tracker::test
