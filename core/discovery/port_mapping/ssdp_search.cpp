#include "discovery/port_mapping/ssdp_search.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <cstring>
#include <vector>

#include "net/socket_binding.hpp"

namespace shoal::port_mapping::ssdp {

namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

constexpr milliseconds k_cancel_check{50};  // how often a wait looks at `cancelled`
constexpr int k_mx_seconds = 1;             // devices answer within a random delay up to this
constexpr int k_multicast_ttl = 2;          // UDA 1.1: SSDP multicast TTL defaults to 2
constexpr std::string_view k_targets[] = {k_igd_v1, k_igd_v2};

std::string seconds_text(milliseconds t) {
    if (t.count() % 1000 == 0) {
        return std::to_string(t.count() / 1000) + " s";
    }
    return std::to_string(t.count()) + " ms";
}

// The IPv4 networks of `interface`, or of every device when it is "".
std::vector<Subnet> local_subnets(const std::string& interface) {
    std::vector<Subnet> out;
    ifaddrs* list = nullptr;
    if (getifaddrs(&list) != 0) {
        return out;
    }
    for (ifaddrs* i = list; i; i = i->ifa_next) {
        if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET || !i->ifa_netmask ||
            (!interface.empty() && interface != i->ifa_name)) {
            continue;
        }
        const auto* address = reinterpret_cast<const sockaddr_in*>(i->ifa_addr);
        const auto* mask = reinterpret_cast<const sockaddr_in*>(i->ifa_netmask);
        out.push_back({boost::asio::ip::address_v4(ntohl(address->sin_addr.s_addr)),
                       static_cast<unsigned>(std::popcount(mask->sin_addr.s_addr))});
    }
    freeifaddrs(list);
    return out;
}

// A UDP socket that multicasts through `interface` (any when "").
Result<int> open_socket(const std::string& interface) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return make_error(ErrorCode::network,
                          std::string("cannot open a UDP socket: ") + std::strerror(errno));
    }
    const auto fail = [fd](std::string what) {
        const int e = errno;
        ::close(fd);
        return make_error(ErrorCode::network, std::move(what) + ": " + std::strerror(e));
    };
    if (auto bound = net::bind_to_device(fd, interface); !bound) {
        ::close(fd);
        return bound.error();
    }
    if (!interface.empty()) {
        ip_mreqn device{};
        device.imr_ifindex = static_cast<int>(::if_nametoindex(interface.c_str()));
        if (device.imr_ifindex == 0) {
            return fail("no interface " + interface);
        }
        if (::setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &device, sizeof device) != 0) {
            return fail("cannot multicast through " + interface);
        }
    }
    const int ttl = k_multicast_ttl;
    if (::setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &ttl, sizeof ttl) != 0) {
        return fail("cannot set the multicast TTL");
    }
    return fd;
}

class Socket {
  public:
    explicit Socket(int fd) : fd_(fd) {}
    ~Socket() { ::close(fd_); }
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
    int fd() const { return fd_; }

  private:
    int fd_;
};

}  // namespace

Result<SearchResponse> search_gateway(const std::string& interface, milliseconds timeout,
                                      const Cancelled& cancelled) {
    auto opened = open_socket(interface);
    if (!opened) {
        return opened.error();
    }
    const Socket socket(*opened);
    const auto subnets = local_subnets(interface);
    std::vector<std::string> searches;
    for (const auto target : k_targets) {
        searches.push_back(encode_search(target, k_mx_seconds));
    }
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(k_port);
    to.sin_addr.s_addr = htonl(k_multicast_address.to_uint());

    const auto start = Clock::now();
    const auto deadline = start + timeout;
    std::size_t next_send = 0;
    std::string refused;  // why the last answer that arrived was not taken
    std::string send_error;
    unsigned sent = 0;
    std::array<char, k_max_response + 1> buffer{};
    while (Clock::now() < deadline) {
        if (cancelled && cancelled()) {
            return make_error(ErrorCode::cancelled, "stopped");
        }
        const auto now = Clock::now();
        while (next_send < std::size(k_search_times) && start + k_search_times[next_send] <= now) {
            ++next_send;
            for (const auto& search : searches) {
                if (::sendto(socket.fd(), search.data(), search.size(), 0,
                             reinterpret_cast<const sockaddr*>(&to), sizeof to) < 0) {
                    send_error = std::strerror(errno);
                } else {
                    ++sent;
                }
            }
        }
        auto wake = deadline;
        if (next_send < std::size(k_search_times)) {
            wake = std::min(wake, start + k_search_times[next_send]);
        }
        const auto left = std::chrono::duration_cast<milliseconds>(wake - Clock::now());
        pollfd p{socket.fd(), POLLIN, 0};
        const int ready = ::poll(
            &p, 1, static_cast<int>(std::clamp(left, milliseconds(1), k_cancel_check).count()));
        if (ready <= 0) {
            continue;
        }
        sockaddr_in from{};
        socklen_t from_length = sizeof from;
        const auto n = ::recvfrom(socket.fd(), buffer.data(), buffer.size(), MSG_TRUNC,
                                  reinterpret_cast<sockaddr*>(&from), &from_length);
        if (n < 0 || from.sin_family != AF_INET) {
            continue;
        }
        const boost::asio::ip::address_v4 source(ntohl(from.sin_addr.s_addr));
        if (static_cast<std::size_t>(n) > k_max_response) {
            refused = "SSDP answer from " + source.to_string() + " of " + std::to_string(n) +
                      " bytes, more than " + std::to_string(k_max_response);
            continue;
        }
        if (!on_local_network(source, subnets)) {
            refused = "SSDP answer from " + source.to_string() + ", not on the local network";
            continue;
        }
        auto response = parse_search_response(
            std::string_view(buffer.data(), static_cast<std::size_t>(n)), source, k_targets);
        if (response) {
            return response;
        }
        refused = response.error().message;
    }
    if (!refused.empty()) {
        return make_error(ErrorCode::invalid_input, "no valid UPnP router answer: " + refused);
    }
    if (sent == 0 && !send_error.empty()) {
        return make_error(ErrorCode::network, "cannot send the SSDP search: " + send_error);
    }
    return make_error(ErrorCode::timeout,
                      "no UPnP router answered within " + seconds_text(timeout));
}

}  // namespace shoal::port_mapping::ssdp
