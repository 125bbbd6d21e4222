#pragma once
// A NAT-PMP client socket: one UDP socket towards the gateway's port 5351 (bound to a device
// with SO_BINDTODEVICE when one is given), requests sent and retransmitted after 250 ms,
// doubling, until a valid response arrives, the deadline passes or the caller cancels.
// Datagrams that fail the checks of natpmp_packets are ignored. Blocking; one thread.

#include <chrono>
#include <memory>
#include <string>

#include "discovery/port_mapping/natpmp_packets.hpp"
#include "discovery/port_mapping/protocol_worker.hpp"
#include "util/result.hpp"

namespace shoal::port_mapping::natpmp {

class Client {
  public:
    using Deadline = std::chrono::steady_clock::time_point;
    static constexpr std::chrono::milliseconds k_first_retransmit{250};

    static Result<std::unique_ptr<Client>> open(const boost::asio::ip::address_v4& gateway,
                                                const std::string& interface);
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    Result<PublicAddressResponse> public_address(Deadline deadline, const Cancelled& cancelled);
    Result<MappingResponse> map(Op op, std::uint16_t internal_port, std::uint16_t suggested_port,
                                std::uint32_t lifetime, Deadline deadline,
                                const Cancelled& cancelled);

    const boost::asio::ip::address_v4& gateway() const { return gateway_; }
    // Requests sent so far, retransmissions included.
    unsigned sent() const { return sent_; }

  private:
    Client(int fd, boost::asio::ip::address_v4 gateway) : fd_(fd), gateway_(gateway) {}
    // Sends `request` until `parse` accepts a response. Without one, the error says why the
    // last datagram was refused, or that the gateway refused the port (ICMP), or timed out.
    template <class Parse>
    auto exchange(std::span<const std::uint8_t> request, Deadline deadline,
                  const Cancelled& cancelled, Parse parse) -> decltype(parse({}, {}));

    int fd_;
    boost::asio::ip::address_v4 gateway_;
    unsigned sent_ = 0;
};

}  // namespace shoal::port_mapping::natpmp
