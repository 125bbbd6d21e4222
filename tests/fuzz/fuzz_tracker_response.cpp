// Fuzzes the tracker reply parsers. The first byte picks one: 0 HTTP announce reply,
// 1 HTTP scrape reply, 2 UDP connect, 3 UDP announce over IPv4, 4 over IPv6, 5 UDP scrape.
// Whatever they accept must respect the limits; their errors must stay one printable line.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "discovery/tracker/tracker_response.hpp"
#include "tracker_protocol/udp_client_packets.hpp"

namespace {

using namespace shoal::tracker_client;
using namespace shoal::tracker_protocol;

void check_error(const shoal::Error& error) {
    for (char c : error.message)
        if (static_cast<unsigned char>(c) < 0x20)
            __builtin_trap();
}

template <class T>
void check(const shoal::Result<T>& result) {
    if (!result.ok())
        check_error(result.error());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0)
        return 0;
    const std::uint8_t selector = data[0] % 6;
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    const ByteView packet(data + 1, size - 1);
    // Use the packet's own transaction id so the decoders get past that check.
    const auto header = peek_udp_header(packet);
    const std::uint32_t transaction_id = header ? header->transaction_id : 0;
    ReplyLimits limits;
    limits.max_peers = 50;
    limits.max_scrape_entries = 20;

    switch (selector) {
        case 0: {
            auto r = parse_announce_reply(text, limits);
            check(r);
            if (r.ok() && (r->peers.size() > limits.max_peers || r->interval < 0))
                __builtin_trap();
            break;
        }
        case 1: {
            auto r = parse_scrape_reply(text, limits);
            check(r);
            if (r.ok() && r->entries.size() > limits.max_scrape_entries)
                __builtin_trap();
            break;
        }
        case 2:
            check(decode_connect_reply(packet, transaction_id));
            break;
        case 3:
        case 4: {
            auto r = decode_announce_reply(packet, transaction_id, selector == 4, limits.max_peers);
            check(r);
            if (r.ok() && r->peers.size() > limits.max_peers)
                __builtin_trap();
            break;
        }
        case 5: {
            std::vector<shoal::SwarmHash> hashes(size % 80);
            auto r = decode_scrape_reply(packet, transaction_id, hashes);
            check(r);
            if (r.ok() && r->entries.size() != std::min(hashes.size(), k_udp_max_scrape_hashes))
                __builtin_trap();
            break;
        }
    }
    return 0;
}
