#include "discovery/port_mapping/gateway.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>

#include <charconv>
#include <cstdint>
#include <fstream>
#include <limits>
#include <sstream>
#include <vector>

namespace shoal::port_mapping {

namespace {

constexpr unsigned k_route_up = 0x1;       // RTF_UP
constexpr unsigned k_route_gateway = 0x2;  // RTF_GATEWAY

std::vector<std::string_view> fields_of(std::string_view line) {
    std::vector<std::string_view> out;
    std::size_t at = 0;
    while (at < line.size()) {
        while (at < line.size() && (line[at] == ' ' || line[at] == '\t')) {
            ++at;
        }
        std::size_t end = at;
        while (end < line.size() && line[end] != ' ' && line[end] != '\t') {
            ++end;
        }
        if (end > at) {
            out.push_back(line.substr(at, end - at));
        }
        at = end;
    }
    return out;
}

std::optional<std::uint32_t> number(std::string_view text, int base) {
    std::uint32_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v, base);
    if (ec != std::errc() || end != text.data() + text.size()) {
        return std::nullopt;
    }
    return v;
}

}  // namespace

std::optional<boost::asio::ip::address_v4> default_gateway_in(std::string_view table,
                                                              std::string_view interface) {
    std::optional<boost::asio::ip::address_v4> best;
    std::uint32_t best_metric = std::numeric_limits<std::uint32_t>::max();
    bool header = true;
    while (!table.empty()) {
        const auto newline = table.find('\n');
        const auto line = table.substr(0, newline);
        table = newline == std::string_view::npos ? std::string_view{} : table.substr(newline + 1);
        if (header) {  // Iface Destination Gateway Flags RefCnt Use Metric Mask ...
            header = false;
            continue;
        }
        const auto f = fields_of(line);
        if (f.size() < 8 || (!interface.empty() && f[0] != interface)) {
            continue;
        }
        const auto destination = number(f[1], 16);
        const auto gateway = number(f[2], 16);
        const auto flags = number(f[3], 16);
        const auto metric = number(f[6], 10);
        const auto mask = number(f[7], 16);
        if (!destination || !gateway || !flags || !metric || !mask || *destination != 0 ||
            *mask != 0 ||
            (*flags & (k_route_up | k_route_gateway)) != (k_route_up | k_route_gateway) ||
            *gateway == 0) {
            continue;
        }
        // The kernel prints the address's bytes, in network order, as a host-order number.
        if (!best || *metric < best_metric) {
            best = boost::asio::ip::address_v4(ntohl(*gateway));
            best_metric = *metric;
        }
    }
    return best;
}

Result<boost::asio::ip::address_v4> default_gateway(const std::string& interface) {
    std::ifstream file("/proc/net/route");
    if (!file) {
        return make_error(ErrorCode::io, "cannot read /proc/net/route");
    }
    std::stringstream text;
    text << file.rdbuf();
    if (auto gateway = default_gateway_in(text.str(), interface)) {
        return *gateway;
    }
    return make_error(ErrorCode::not_found, interface.empty()
                                                ? "no default gateway"
                                                : "no default gateway on " + interface);
}

Result<boost::asio::ip::address_v4> interface_address(const std::string& interface) {
    ifaddrs* list = nullptr;
    if (getifaddrs(&list) != 0) {
        return make_error(ErrorCode::io, "cannot list the network devices");
    }
    std::optional<boost::asio::ip::address_v4> found;
    for (ifaddrs* i = list; i && !found; i = i->ifa_next) {
        if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET && interface == i->ifa_name) {
            const auto* in = reinterpret_cast<const sockaddr_in*>(i->ifa_addr);
            found = boost::asio::ip::address_v4(ntohl(in->sin_addr.s_addr));
        }
    }
    freeifaddrs(list);
    if (!found) {
        return make_error(ErrorCode::not_found, "device " + interface + " has no IPv4 address");
    }
    return *found;
}

}  // namespace shoal::port_mapping
