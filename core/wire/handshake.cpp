#include "wire/handshake.hpp"

#include <algorithm>
#include <cctype>
#include <random>

namespace shoal::wire {

std::array<std::uint8_t, 8> our_reserved(bool v2) {
    std::array<std::uint8_t, 8> r{};
    r[5] |= 0x10;
    r[7] |= 0x04;
    if (v2) r[7] |= 0x10;
    return r;
}

std::string encode_handshake(const Handshake& h) {
    std::string out(k_protocol);
    out.append(reinterpret_cast<const char*>(h.reserved.data()), h.reserved.size());
    out.append(reinterpret_cast<const char*>(h.info_hash.data()), h.info_hash.size());
    out.append(reinterpret_cast<const char*>(h.peer_id.data()), h.peer_id.size());
    return out;
}

bool plausible_protocol_prefix(std::string_view first_bytes) {
    const std::size_t n = std::min(first_bytes.size(), k_protocol.size());
    return first_bytes.substr(0, n) == k_protocol.substr(0, n);
}

std::optional<Handshake> decode_handshake(std::string_view bytes) {
    if (bytes.size() != k_handshake_size || !bytes.starts_with(k_protocol)) return std::nullopt;
    Handshake h;
    auto copy = [&](std::size_t at, auto& out) {
        std::copy_n(reinterpret_cast<const std::uint8_t*>(bytes.data()) + at, out.size(), out.begin());
    };
    copy(20, h.reserved);
    copy(28, h.info_hash);
    copy(48, h.peer_id);
    return h;
}

PeerId make_peer_id() {
    PeerId id{};
    constexpr std::string_view k_prefix = "-SH0100-";
    std::copy(k_prefix.begin(), k_prefix.end(), id.begin());
    std::random_device rd;
    for (std::size_t i = k_prefix.size(); i < id.size(); ++i) {
        id[i] = static_cast<std::uint8_t>(rd());
    }
    return id;
}

std::string client_from_peer_id(const PeerId& id) {
    const std::string_view s(reinterpret_cast<const char*>(id.data()), id.size());
    if (s[0] != '-' || s[7] != '-') return "unknown";
    const std::string_view code = s.substr(1, 2);
    const std::string_view version = s.substr(3, 4);
    std::string name;
    if (code == "SH") name = "Shoal";
    else if (code == "LT") name = "libtorrent";
    else if (code == "qB") name = "qBittorrent";
    else if (code == "TR") name = "Transmission";
    else if (code == "A2") name = "aria2";
    else if (code == "UT") name = "uTorrent";
    else if (code == "DE") name = "Deluge";
    else name = std::string(code);
    for (char c : version) {
        if (!std::isalnum(static_cast<unsigned char>(c))) return name;
    }
    return name + " " + std::string(version);
}

}  // namespace shoal::wire
