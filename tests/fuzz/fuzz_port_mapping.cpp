// libFuzzer target: what a router (or anyone on the local network) may answer port mapping
// with: NAT-PMP responses, SSDP search answers and the URLs they carry.
#include <cstdint>
#include <span>
#include <string_view>

#include "discovery/port_mapping/natpmp_packets.hpp"
#include "discovery/port_mapping/ssdp_messages.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace shoal::port_mapping;
    namespace ip = boost::asio::ip;
    const auto gateway = ip::make_address_v4("192.0.2.1");
    const ip::udp::endpoint from(gateway, 5351);
    const std::span<const std::uint8_t> bytes(data, size);

    if (auto a = natpmp::parse_public_address_response(bytes, from, gateway); a && a->result == 0 &&
                                                                                size < 12)
        __builtin_trap();  // a success carries the address
    for (auto op : {natpmp::Op::map_tcp, natpmp::Op::map_udp}) {
        auto m = natpmp::parse_mapping_response(bytes, from, gateway, op);
        if (m && m->op != op)
            __builtin_trap();
    }

    const std::string_view text(reinterpret_cast<const char*>(data), size);
    const std::string_view targets[] = {"urn:schemas-upnp-org:device:InternetGatewayDevice:1",
                                        "urn:schemas-upnp-org:device:InternetGatewayDevice:2"};
    if (auto r = ssdp::parse_search_response(text, gateway, targets)) {
        // An answer may only send us to the host it came from, by a URL that parses again.
        auto again = ssdp::parse_http_url(r->location);
        if (!again || again->host != gateway || r->url.host != gateway)
            __builtin_trap();
    }
    (void)ssdp::parse_http_url(text);
    return 0;
}
