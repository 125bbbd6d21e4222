#include "discovery/port_mapping/natpmp_client.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>

namespace shoal::port_mapping::natpmp {

namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

// How often a wait looks at `cancelled`.
constexpr milliseconds k_cancel_check{50};

}  // namespace

Result<std::unique_ptr<Client>> Client::open(const boost::asio::ip::address_v4& gateway,
                                             const std::string& interface) {
    const int fd = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return make_error(ErrorCode::network,
                          std::string("cannot open a UDP socket: ") + std::strerror(errno));
    }
    if (!interface.empty() && ::setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, interface.c_str(),
                                           static_cast<socklen_t>(interface.size())) != 0) {
        const int e = errno;
        ::close(fd);
        return make_error(ErrorCode::network,
                          "cannot bind to device " + interface + ": " + std::strerror(e));
    }
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(k_server_port);
    to.sin_addr.s_addr = htonl(gateway.to_uint());
    // Connected: the kernel drops datagrams from anyone else, and reports ICMP
    // "port unreachable" (no NAT-PMP on the router) as ECONNREFUSED.
    if (::connect(fd, reinterpret_cast<const sockaddr*>(&to), sizeof to) != 0) {
        const int e = errno;
        ::close(fd);
        return make_error(ErrorCode::network, "cannot reach the gateway " + gateway.to_string() +
                                                  ": " + std::strerror(e));
    }
    return std::unique_ptr<Client>(new Client(fd, gateway));
}

Client::~Client() {
    ::close(fd_);
}

template <class Parse>
auto Client::exchange(std::span<const std::uint8_t> request, Deadline deadline,
                      const Cancelled& cancelled, Parse parse) -> decltype(parse({}, {})) {
    milliseconds interval = k_first_retransmit;
    std::string refused;  // why the last datagram that arrived was not taken
    // ICMP "port unreachable" answers (no NAT-PMP server on the gateway); two end the wait.
    int unreachable = 0;
    while (Clock::now() < deadline && unreachable < 2) {
        if (cancelled && cancelled()) {
            return make_error(ErrorCode::cancelled, "stopped");
        }
        if (::send(fd_, request.data(), request.size(), 0) < 0) {
            unreachable += errno == ECONNREFUSED ? 1 : 0;
        } else {
            ++sent_;
        }
        const auto resend_at = std::min(deadline, Clock::now() + interval);
        interval *= 2;
        while (Clock::now() < resend_at) {
            if (cancelled && cancelled()) {
                return make_error(ErrorCode::cancelled, "stopped");
            }
            const auto left = std::chrono::duration_cast<milliseconds>(resend_at - Clock::now());
            pollfd p{fd_, POLLIN, 0};
            const int ready = ::poll(
                &p, 1, static_cast<int>(std::clamp(left, milliseconds(1), k_cancel_check).count()));
            if (ready <= 0) {
                continue;
            }
            std::array<std::uint8_t, 64> buffer{};
            sockaddr_in from{};
            socklen_t from_length = sizeof from;
            const auto n = ::recvfrom(fd_, buffer.data(), buffer.size(), MSG_TRUNC,
                                      reinterpret_cast<sockaddr*>(&from), &from_length);
            if (n < 0) {
                if (errno == ECONNREFUSED && ++unreachable >= 2) {
                    break;
                }
                continue;
            }
            const boost::asio::ip::udp::endpoint sender(
                boost::asio::ip::address_v4(ntohl(from.sin_addr.s_addr)), ntohs(from.sin_port));
            const auto size = std::min<std::size_t>(static_cast<std::size_t>(n), buffer.size() + 1);
            std::span<const std::uint8_t> datagram(buffer.data(), std::min(size, buffer.size()));
            if (size > buffer.size()) {  // longer than any response: refused by its length
                refused = "NAT-PMP response of " + std::to_string(n) + " bytes";
                continue;
            }
            auto response = parse(datagram, sender);
            if (response) {
                return response;
            }
            refused = response.error().message;
        }
    }
    if (!refused.empty()) {
        return make_error(ErrorCode::invalid_input, "bad answer from the router: " + refused);
    }
    if (unreachable > 0) {
        return make_error(ErrorCode::refused,
                          "the gateway " + gateway_.to_string() + " does not speak NAT-PMP");
    }
    return make_error(ErrorCode::timeout,
                      "no NAT-PMP answer from the gateway " + gateway_.to_string());
}

Result<PublicAddressResponse> Client::public_address(Deadline deadline,
                                                     const Cancelled& cancelled) {
    const auto request = encode_public_address_request();
    return exchange(
        request, deadline, cancelled,
        [&](std::span<const std::uint8_t> datagram, const boost::asio::ip::udp::endpoint& from) {
            return parse_public_address_response(datagram, from, gateway_);
        });
}

Result<MappingResponse> Client::map(Op op, std::uint16_t internal_port,
                                    std::uint16_t suggested_port, std::uint32_t lifetime,
                                    Deadline deadline, const Cancelled& cancelled) {
    const auto request = encode_mapping_request(op, internal_port, suggested_port, lifetime);
    return exchange(
        request, deadline, cancelled,
        [&](std::span<const std::uint8_t> datagram,
            const boost::asio::ip::udp::endpoint& from) -> Result<MappingResponse> {
            auto response = parse_mapping_response(datagram, from, gateway_, op);
            if (response && response->result == 0 && response->internal_port != internal_port) {
                return make_error(ErrorCode::invalid_input,
                                  "NAT-PMP response for internal port " +
                                      std::to_string(response->internal_port) + ", not " +
                                      std::to_string(internal_port));
            }
            return response;
        });
}

}  // namespace shoal::port_mapping::natpmp
