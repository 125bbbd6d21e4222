#include "net/global_ipv6_address.hpp"

#include <ifaddrs.h>
#include <netinet/in.h>

#include <cstring>

namespace shoal::net {

namespace ip = boost::asio::ip;

bool is_global_ipv6(const ip::address_v6& address) {
    const auto bytes = address.to_bytes();
    const bool unique_local = (bytes[0] & 0xfe) == 0xfc;
    return !address.is_unspecified() && !address.is_loopback() && !address.is_link_local() &&
           !address.is_site_local() && !address.is_multicast() && !address.is_v4_mapped() &&
           !unique_local;
}

std::optional<ip::address_v6> pick_global_ipv6(std::span<const InterfaceAddress> addresses,
                                               const std::string& device) {
    for (const auto& a : addresses) {
        if (!device.empty() && a.device != device)
            continue;
        if (a.address.is_v6() && is_global_ipv6(a.address.to_v6()))
            return a.address.to_v6();
    }
    return std::nullopt;
}

std::vector<InterfaceAddress> interface_addresses() {
    std::vector<InterfaceAddress> out;
    ifaddrs* all = nullptr;
    if (::getifaddrs(&all) != 0)
        return out;
    for (const ifaddrs* a = all; a; a = a->ifa_next) {
        if (!a->ifa_addr || !a->ifa_name)
            continue;
        if (a->ifa_addr->sa_family == AF_INET6) {
            const auto* v6 = reinterpret_cast<const sockaddr_in6*>(a->ifa_addr);
            ip::address_v6::bytes_type bytes;
            std::memcpy(bytes.data(), &v6->sin6_addr, bytes.size());
            out.push_back({a->ifa_name, ip::address_v6(bytes)});
        } else if (a->ifa_addr->sa_family == AF_INET) {
            const auto* v4 = reinterpret_cast<const sockaddr_in*>(a->ifa_addr);
            ip::address_v4::bytes_type bytes;
            std::memcpy(bytes.data(), &v4->sin_addr, bytes.size());
            out.push_back({a->ifa_name, ip::address_v4(bytes)});
        }
    }
    ::freeifaddrs(all);
    return out;
}

std::optional<ip::address_v6> global_ipv6_address(const std::string& device) {
    return pick_global_ipv6(interface_addresses(), device);
}

}  // namespace shoal::net
