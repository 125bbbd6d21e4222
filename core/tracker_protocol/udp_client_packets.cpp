#include "tracker_protocol/udp_client_packets.hpp"

#include <algorithm>
#include <string>

namespace shoal::tracker_protocol {
namespace {

namespace ip = boost::asio::ip;

void put_u16(Bytes& out, std::uint16_t v) {
    out.push_back(static_cast<std::uint8_t>(v >> 8));
    out.push_back(static_cast<std::uint8_t>(v));
}
void put_u32(Bytes& out, std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8)
        out.push_back(static_cast<std::uint8_t>(v >> shift));
}
void put_u64(Bytes& out, std::uint64_t v) {
    for (int shift = 56; shift >= 0; shift -= 8)
        out.push_back(static_cast<std::uint8_t>(v >> shift));
}
void put_bytes(Bytes& out, std::span<const std::uint8_t> bytes) {
    out.insert(out.end(), bytes.begin(), bytes.end());
}

std::uint32_t get_u32(ByteView p, std::size_t at) {
    return (std::uint32_t{p[at]} << 24) | (std::uint32_t{p[at + 1]} << 16) |
           (std::uint32_t{p[at + 2]} << 8) | std::uint32_t{p[at + 3]};
}
std::uint64_t get_u64(ByteView p, std::size_t at) {
    return (std::uint64_t{get_u32(p, at)} << 32) | get_u32(p, at + 4);
}

std::string printable(ByteView text) {
    constexpr std::size_t k_max_text = 300;
    std::string out;
    for (std::size_t i = 0; i < text.size() && i < k_max_text; ++i)
        out += (text[i] < 0x20 || text[i] == 0x7f) ? '?' : static_cast<char>(text[i]);
    if (text.size() > k_max_text)
        out += "...";
    return out;
}

// Shared checks: long enough for the header, ours, and either the expected action or an
// error packet (which is turned into the error).
Result<int> check_reply(ByteView packet, std::uint32_t transaction_id, UdpAction expected,
                        std::size_t min_size) {
    auto header = peek_udp_header(packet);
    if (!header)
        return make_error(ErrorCode::invalid_input,
                          "reply of " + std::to_string(packet.size()) + " bytes is too short");
    if (header->transaction_id != transaction_id)
        return make_error(ErrorCode::invalid_input, "reply has a foreign transaction id");
    if (header->action == static_cast<std::uint32_t>(UdpAction::error))
        return make_error(ErrorCode::refused, "error: " + printable(packet.subspan(8)));
    if (header->action != static_cast<std::uint32_t>(expected))
        return make_error(ErrorCode::invalid_input,
                          "reply has action " + std::to_string(header->action) + ", expected " +
                              std::to_string(static_cast<std::uint32_t>(expected)));
    if (packet.size() < min_size)
        return make_error(ErrorCode::invalid_input,
                          "reply of " + std::to_string(packet.size()) + " bytes is too short");
    return 0;
}

}  // namespace

std::optional<UdpReplyHeader> peek_udp_header(ByteView packet) {
    if (packet.size() < 8)
        return std::nullopt;
    return UdpReplyHeader{get_u32(packet, 0), get_u32(packet, 4)};
}

Bytes encode_connect_request(std::uint32_t transaction_id) {
    Bytes out;
    out.reserve(16);
    put_u64(out, k_udp_protocol_id);
    put_u32(out, static_cast<std::uint32_t>(UdpAction::connect));
    put_u32(out, transaction_id);
    return out;
}

Bytes encode_announce_request(std::uint64_t connection_id, std::uint32_t transaction_id,
                              const AnnounceRequest& request, std::string_view url_data) {
    Bytes out;
    out.reserve(98 + url_data.size() + url_data.size() / 255 * 2 + 2);
    put_u64(out, connection_id);
    put_u32(out, static_cast<std::uint32_t>(UdpAction::announce));
    put_u32(out, transaction_id);
    put_bytes(out, request.info_hash.bytes);
    put_bytes(out, request.peer_id.bytes);
    put_u64(out, static_cast<std::uint64_t>(std::max<std::int64_t>(request.downloaded, 0)));
    put_u64(out, static_cast<std::uint64_t>(std::max<std::int64_t>(request.left, 0)));
    put_u64(out, static_cast<std::uint64_t>(std::max<std::int64_t>(request.uploaded, 0)));
    put_u32(out, static_cast<std::uint32_t>(request.event));
    put_u32(out, 0);  // IP address: let the tracker use the packet's source
    put_u32(out, request.key);
    put_u32(out, static_cast<std::uint32_t>(request.numwant < 0 ? -1 : request.numwant));
    put_u16(out, request.port);
    // BEP 41 URLData, in chunks of at most 255 bytes.
    for (std::size_t at = 0; at < url_data.size(); at += 255) {
        auto chunk = url_data.substr(at, 255);
        out.push_back(2);
        out.push_back(static_cast<std::uint8_t>(chunk.size()));
        out.insert(out.end(), chunk.begin(), chunk.end());
    }
    return out;
}

Bytes encode_scrape_request(std::uint64_t connection_id, std::uint32_t transaction_id,
                            std::span<const SwarmHash> hashes) {
    Bytes out;
    const auto count = std::min(hashes.size(), k_udp_max_scrape_hashes);
    out.reserve(16 + 20 * count);
    put_u64(out, connection_id);
    put_u32(out, static_cast<std::uint32_t>(UdpAction::scrape));
    put_u32(out, transaction_id);
    for (std::size_t i = 0; i < count; ++i)
        put_bytes(out, hashes[i].bytes);
    return out;
}

Result<std::uint64_t> decode_connect_reply(ByteView packet, std::uint32_t transaction_id) {
    auto ok = check_reply(packet, transaction_id, UdpAction::connect, 16);
    if (!ok)
        return ok.error();
    return get_u64(packet, 8);
}

Result<AnnounceResponse> decode_announce_reply(ByteView packet, std::uint32_t transaction_id,
                                               bool ipv6, std::size_t max_peers) {
    auto ok = check_reply(packet, transaction_id, UdpAction::announce, 20);
    if (!ok)
        return ok.error();
    AnnounceResponse out;
    out.interval = get_u32(packet, 8);
    out.leechers = get_u32(packet, 12);
    out.seeders = get_u32(packet, 16);
    const std::size_t stride = ipv6 ? 18 : 6;
    auto peers = packet.subspan(20);
    // Trailing bytes that do not fill a whole peer are ignored: BEP 15 allows later fields.
    const std::size_t count = peers.size() / stride;
    if (count > max_peers)
        return make_error(ErrorCode::too_large,
                          "reply lists more than " + std::to_string(max_peers) + " peers");
    out.peers.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
        auto p = peers.subspan(i * stride, stride);
        auto port = static_cast<std::uint16_t>((p[stride - 2] << 8) | p[stride - 1]);
        if (ipv6) {
            ip::address_v6::bytes_type b;
            std::copy(p.begin(), p.begin() + 16, b.begin());
            out.peers.emplace_back(ip::address_v6(b), port);
        } else {
            ip::address_v4::bytes_type b;
            std::copy(p.begin(), p.begin() + 4, b.begin());
            out.peers.emplace_back(ip::address_v4(b), port);
        }
    }
    return out;
}

Result<ScrapeResponse> decode_scrape_reply(ByteView packet, std::uint32_t transaction_id,
                                           std::span<const SwarmHash> hashes) {
    auto ok = check_reply(packet, transaction_id, UdpAction::scrape, 8);
    if (!ok)
        return ok.error();
    const std::size_t asked = std::min(hashes.size(), k_udp_max_scrape_hashes);
    const std::size_t have = (packet.size() - 8) / 12;
    if (have < asked)
        return make_error(ErrorCode::invalid_input, "scrape reply has " + std::to_string(have) +
                                                        " entries for " + std::to_string(asked) +
                                                        " torrents");
    ScrapeResponse out;
    for (std::size_t i = 0; i < asked; ++i) {
        const std::size_t at = 8 + 12 * i;
        out.entries.push_back(ScrapeEntry{hashes[i], get_u32(packet, at), get_u32(packet, at + 8),
                                          get_u32(packet, at + 4)});
    }
    return out;
}

}  // namespace shoal::tracker_protocol
