// Test-only driver: runs a port_mapping::PortMapper for one local port and prints one JSON
// line on stdout per status change:
//   {"upnp":{"state":..,"external_address":..,"tcp":..,"udp":..,"gateway":..,"error":..},
//    "natpmp":{...},"elapsed_ms":..}
// When stdin closes it calls stop(), prints {"stopped":true,"elapsed_ms":..} and exits 0.
// Used by the port mapping tests and benchmark; never built into the application.

#include <CLI/CLI.hpp>

#include <boost/json.hpp>
#include <chrono>
#include <iostream>
#include <mutex>
#include <string>

#include "discovery/port_mapping/port_mapper.hpp"

namespace {

namespace json = boost::json;
using namespace shoal::port_mapping;
using Clock = std::chrono::steady_clock;

json::object describe(const ProtocolStatus& s) {
    json::object o;
    o["state"] = std::string(state_name(s.state));
    o["external_address"] =
        s.external_address ? json::value(s.external_address->to_string()) : json::value(nullptr);
    o["tcp"] = s.external_tcp_port;
    o["udp"] = s.external_udp_port;
    o["gateway"] = s.gateway;
    o["error"] = s.error;
    return o;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"Maps a port with UPnP IGD and NAT-PMP and reports the status as JSON lines"};
    PortMapperOptions options;
    bool no_upnp = false;
    bool no_natpmp = false;
    int lease = 3600;
    int discovery_ms = 2000;
    app.add_option("--port", options.local_port, "the local port to map (TCP and UDP)")->required();
    app.add_flag("--no-upnp", no_upnp, "leave UPnP off");
    app.add_flag("--no-natpmp", no_natpmp, "leave NAT-PMP off");
    app.add_option("--interface", options.interface, "the device to map through");
    app.add_option("--lease", lease, "seconds the mapping lasts (renewed at half)");
    app.add_option("--discovery-ms", discovery_ms, "how long UPnP discovery waits");
    CLI11_PARSE(app, argc, argv);
    options.upnp = !no_upnp;
    options.natpmp = !no_natpmp;
    options.lease = std::chrono::seconds(lease);
    options.discovery_timeout = std::chrono::milliseconds(discovery_ms);

    const auto started = Clock::now();
    auto elapsed = [&] {
        return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started)
            .count();
    };
    std::mutex out;
    PortMapper mapper(options, [&](const PortMappingStatus& status) {
        json::object line;
        line["upnp"] = describe(status.upnp);
        line["natpmp"] = describe(status.natpmp);
        line["elapsed_ms"] = elapsed();
        std::lock_guard lock(out);
        std::cout << json::serialize(line) << std::endl;
    });

    std::string ignored;
    while (std::getline(std::cin, ignored)) {
    }
    mapper.stop();
    std::lock_guard lock(out);
    std::cout << json::serialize(json::object{{"stopped", true}, {"elapsed_ms", elapsed()}})
              << std::endl;
    return 0;
}
