#include "tracker_protocol/udp_server_packets.hpp"

#include <algorithm>
#include <cstring>

namespace shoal::tracker_protocol {
namespace {

class Reader {
  public:
    explicit Reader(std::span<const std::uint8_t> data) : data_(data) {}
    std::size_t remaining() const { return data_.size() - pos_; }
    std::uint64_t u64() { return read(8); }
    std::uint32_t u32() { return static_cast<std::uint32_t>(read(4)); }
    std::uint16_t u16() { return static_cast<std::uint16_t>(read(2)); }
    std::uint8_t u8() { return static_cast<std::uint8_t>(read(1)); }
    template <std::size_t N>
    void bytes(std::array<std::uint8_t, N>& out) {
        std::copy_n(data_.begin() + static_cast<std::ptrdiff_t>(pos_), N, out.begin());
        pos_ += N;
    }
    std::span<const std::uint8_t> take(std::size_t n) {
        auto s = data_.subspan(pos_, n);
        pos_ += n;
        return s;
    }

  private:
    // Callers check remaining() first; the parser never reads past the end.
    std::uint64_t read(std::size_t n) {
        std::uint64_t v = 0;
        for (std::size_t i = 0; i < n; ++i)
            v = (v << 8) | data_[pos_ + i];
        pos_ += n;
        return v;
    }
    std::span<const std::uint8_t> data_;
    std::size_t pos_ = 0;
};

void put(std::vector<std::uint8_t>& out, std::uint64_t v, int bytes) {
    for (int i = bytes - 1; i >= 0; --i)
        out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

// BEP 41 options after the fixed announce; a truncated option ends parsing quietly.
void parse_options(Reader& r, std::string& url_data) {
    while (r.remaining() > 0) {
        const std::uint8_t type = r.u8();
        if (type == 0)
            return;  // EndOfOptions
        if (type == 1)
            continue;  // NOP
        if (r.remaining() < 1)
            return;
        const std::uint8_t len = r.u8();
        if (r.remaining() < len)
            return;
        auto data = r.take(len);
        if (type == 2 && url_data.size() + len <= k_udp_max_url_data) {
            url_data.append(reinterpret_cast<const char*>(data.data()), data.size());
        }
    }
}

}  // namespace

UdpParsed parse_udp_request(std::span<const std::uint8_t> packet) {
    UdpParsed result;
    if (packet.size() < 16) {
        result.error = "packet shorter than 16 bytes";
        return result;
    }
    Reader r(packet);
    const std::uint64_t connection_id = r.u64();
    const std::uint32_t action = r.u32();
    const std::uint32_t transaction_id = r.u32();
    switch (static_cast<UdpAction>(action)) {
        case UdpAction::connect: {
            if (connection_id != k_udp_protocol_id) {
                // Not a tracker client (or a spoofed probe): no reply.
                result.error = "connect without the protocol id";
                return result;
            }
            result.request = UdpConnectRequest{transaction_id};
            return result;
        }
        case UdpAction::announce: {
            result.transaction_id = transaction_id;
            if (r.remaining() < 98 - 16) {
                result.error = "truncated announce";
                return result;
            }
            UdpAnnounceRequest a;
            a.connection_id = connection_id;
            a.transaction_id = transaction_id;
            r.bytes(a.info_hash.bytes);
            r.bytes(a.peer_id.bytes);
            a.downloaded = r.u64();
            a.left = r.u64();
            a.uploaded = r.u64();
            const std::uint32_t event = r.u32();
            a.event = event <= 3 ? static_cast<AnnounceEvent>(event) : AnnounceEvent::none;
            a.ip = r.u32();
            a.key = r.u32();
            a.numwant = static_cast<std::int32_t>(r.u32());
            a.port = r.u16();
            parse_options(r, a.url_data);
            result.request = std::move(a);
            return result;
        }
        case UdpAction::scrape: {
            result.transaction_id = transaction_id;
            const std::size_t n = r.remaining() / 20;
            if (n == 0) {
                result.error = "scrape without info-hash";
                return result;
            }
            if (n > k_udp_max_scrape_hashes) {
                result.error = "too many info-hashes";
                return result;
            }
            UdpScrapeRequest s;
            s.connection_id = connection_id;
            s.transaction_id = transaction_id;
            s.info_hashes.resize(n);
            for (auto& h : s.info_hashes)
                r.bytes(h.bytes);
            result.request = std::move(s);
            return result;
        }
        default:
            result.transaction_id = transaction_id;
            result.error = "unknown action";
            return result;
    }
}

void write_udp_connect(std::vector<std::uint8_t>& out, std::uint32_t transaction_id,
                       std::uint64_t connection_id) {
    out.clear();
    put(out, static_cast<std::uint32_t>(UdpAction::connect), 4);
    put(out, transaction_id, 4);
    put(out, connection_id, 8);
}

void write_udp_announce(std::vector<std::uint8_t>& out, std::uint32_t transaction_id,
                        std::uint32_t interval, const SwarmCounts& counts,
                        const std::vector<PeerInfo>& peers, Family family) {
    const std::size_t addr_size = family == Family::v4 ? 4 : 16;
    // Sized once, then filled in place.
    out.clear();
    out.resize(k_udp_announce_head + peers.size() * (addr_size + 2));
    write_udp_announce_head(out, transaction_id, interval, counts);
    std::uint8_t* p = out.data() + k_udp_announce_head;
    for (const auto& peer : peers) {
        if (peer.endpoint.address.family != family)
            continue;
        std::memcpy(p, peer.endpoint.address.bytes.data(), addr_size);
        p[addr_size] = static_cast<std::uint8_t>(peer.endpoint.port >> 8);
        p[addr_size + 1] = static_cast<std::uint8_t>(peer.endpoint.port);
        p += addr_size + 2;
    }
    out.resize(static_cast<std::size_t>(p - out.data()));
}

void write_udp_announce_head(std::vector<std::uint8_t>& out, std::uint32_t transaction_id,
                             std::uint32_t interval, const SwarmCounts& counts) {
    if (out.size() < k_udp_announce_head)
        out.resize(k_udp_announce_head);
    std::uint8_t* p = out.data();
    const std::uint32_t words[5] = {static_cast<std::uint32_t>(UdpAction::announce),
                                    transaction_id, interval, counts.leechers, counts.seeders};
    for (const std::uint32_t w : words) {
        p[0] = static_cast<std::uint8_t>(w >> 24);
        p[1] = static_cast<std::uint8_t>(w >> 16);
        p[2] = static_cast<std::uint8_t>(w >> 8);
        p[3] = static_cast<std::uint8_t>(w);
        p += 4;
    }
}

void write_udp_scrape(std::vector<std::uint8_t>& out, std::uint32_t transaction_id,
                      const std::vector<SwarmCounts>& counts) {
    out.clear();
    put(out, static_cast<std::uint32_t>(UdpAction::scrape), 4);
    put(out, transaction_id, 4);
    for (const auto& c : counts) {
        put(out, c.seeders, 4);
        put(out, c.completed, 4);
        put(out, c.leechers, 4);
    }
}

void write_udp_error(std::vector<std::uint8_t>& out, std::uint32_t transaction_id,
                     std::string_view message) {
    out.clear();
    put(out, static_cast<std::uint32_t>(UdpAction::error), 4);
    put(out, transaction_id, 4);
    out.insert(out.end(), message.begin(), message.end());
}

}  // namespace shoal::tracker_protocol
