// Seeds: corpus/fuzz_tracker_udp/ beside this file.
// Fuzzes what a UDP client controls: one datagram, through the packet parser and the
// handler (connection ids, BEP 41 options, store, reply sizes).

#include <cstdint>
#include <cstdlib>
#include <vector>

#include "tracker/udp_handler.hpp"
#include "tracker_protocol/udp_server_packets.hpp"

namespace tr = shoal::tracker;

namespace {

struct World {
    tr::Config config;
    tr::SwarmStore store{tr::StoreOptions{4, 2400, 1}};
    tr::SharedSnapshot<tr::AccessPolicy> access{std::make_shared<const tr::AccessPolicy>()};
    tr::Metrics metrics;
    tr::AnnounceService service{config, store, access, metrics, 1};
    tr::ConnectionKeyRing ring{tr::MacKey{}, tr::MacKey{}};
    tr::ConnectionIds ids{ring};
    std::uint32_t now = 1000;
    tr::UdpHandler handler{service, ids, [this] { return now; }};
    std::vector<std::uint8_t> out;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static World world;
    (void)shoal::tracker_protocol::parse_udp_request({data, size});
    tr::PeerEndpoint sender{tr::IpAddress::v4(0x7F000001), 40000};
    if (size > 0 && (data[0] & 1)) {
        sender.address.family = tr::Family::v6;
        sender.address.bytes[15] = 1;
    }
    // Let the fuzzer reach announce and scrape: a connection id from this key at byte 0.
    std::vector<std::uint8_t> packet(data, data + size);
    if (packet.size() >= 16 && packet[8] == 0 && packet[9] == 0 && packet[10] == 0 &&
        (packet[11] == 1 || packet[11] == 2)) {
        std::uint64_t id = world.ids.issue(sender, world.now);
        for (int i = 7; i >= 0; --i) {
            packet[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(id);
            id >>= 8;
        }
    }
    if (world.handler.handle(packet, sender, world.out)) {
        const std::size_t limit = std::max<std::size_t>(tr::k_udp_max_reply, packet.size());
        if (world.out.size() > limit)
            std::abort();
    }
    return 0;
}
