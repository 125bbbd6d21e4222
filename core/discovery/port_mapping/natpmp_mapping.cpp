// The NAT-PMP side of a PortMapper: the default gateway from the route table, its public
// address, then the TCP and the UDP mapping, each request retransmitted for a few seconds
// at most (RFC 6886 allows a minute; a client that waits that long looks hung).

#include <algorithm>

#include "discovery/port_mapping/gateway.hpp"
#include "discovery/port_mapping/natpmp_client.hpp"
#include "discovery/port_mapping/protocol_worker.hpp"

namespace shoal::port_mapping {

namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// One request's retransmissions: 250 + 500 + 1000 + 2000 ms.
constexpr auto k_request_budget = 3750ms;
// Deleting both mappings on stop.
constexpr auto k_unmap_budget = 3s;

std::string refusal(std::string_view what, std::uint16_t code) {
    return "router refused " + std::string(what) + ": " + natpmp::result_name(code) + " (" +
           std::to_string(code) + ")";
}

class NatpmpWorker final : public ProtocolWorker {
  public:
    explicit NatpmpWorker(const PortMapperOptions& options) : options_(options) {}

    bool map(ProtocolStatus& status, const Cancelled& cancelled) override {
        auto gateway = default_gateway(options_.interface);
        if (!gateway) {
            status.error = gateway.error().message;
            return false;
        }
        status.gateway = gateway->to_string();
        if (!client_ || client_->gateway() != *gateway) {
            auto client = natpmp::Client::open(*gateway, options_.interface);
            if (!client) {
                status.error = client.error().message;
                return false;
            }
            client_ = std::move(*client);
        }
        auto address = client_->public_address(Clock::now() + k_request_budget, cancelled);
        if (!address) {
            status.error = address.error().message;
            return false;
        }
        if (address->result != 0) {
            status.error = refusal("its public address", address->result);
            return false;
        }
        status.external_address = address->address;

        const auto lifetime = static_cast<std::uint32_t>(
            std::clamp<std::int64_t>(options_.lease.count(), 1, 0xffffffff));
        // The same external port for both when the router allows: UDP asks for TCP's.
        std::uint32_t granted = lifetime;
        for (auto op : {natpmp::Op::map_tcp, natpmp::Op::map_udp}) {
            const bool tcp = op == natpmp::Op::map_tcp;
            std::uint16_t& mapped = tcp ? tcp_port_ : udp_port_;
            const std::uint16_t suggested =
                mapped
                    ? mapped
                    : (tcp ? options_.local_port : (tcp_port_ ? tcp_port_ : options_.local_port));
            auto response = client_->map(op, options_.local_port, suggested, lifetime,
                                         Clock::now() + k_request_budget, cancelled);
            if (!response) {
                status.error = response.error().message;
                return false;
            }
            if (response->result != 0) {
                status.error =
                    refusal(tcp ? "the TCP mapping" : "the UDP mapping", response->result);
                return false;
            }
            mapped = response->external_port;
            granted = std::min(granted, response->lifetime);
        }
        granted_ = granted;
        status.external_tcp_port = tcp_port_;
        status.external_udp_port = udp_port_;
        status.error.clear();
        return true;
    }

    std::chrono::seconds renew_after() const override {
        const auto lease = granted_ ? std::chrono::seconds(granted_) : options_.lease;
        return std::max<std::chrono::seconds>(lease / 2, 1s);
    }

    void unmap() override {
        if (!client_) {
            return;
        }
        const auto deadline = Clock::now() + k_unmap_budget;
        // Lifetime 0 and external port 0 delete the mapping (RFC 6886 section 3.4).
        if (tcp_port_) {
            const auto half = Clock::now() + k_unmap_budget / 2;
            (void)client_->map(natpmp::Op::map_tcp, options_.local_port, 0, 0, half, nullptr);
            tcp_port_ = 0;
        }
        if (udp_port_) {
            (void)client_->map(natpmp::Op::map_udp, options_.local_port, 0, 0, deadline, nullptr);
            udp_port_ = 0;
        }
    }

  private:
    PortMapperOptions options_;
    std::unique_ptr<natpmp::Client> client_;
    std::uint16_t tcp_port_ = 0;  // mapped external ports, 0 when none
    std::uint16_t udp_port_ = 0;
    std::uint32_t granted_ = 0;  // the shorter of the two lifetimes the router granted
};

}  // namespace

std::unique_ptr<ProtocolWorker> make_natpmp_worker(const PortMapperOptions& options) {
    return std::make_unique<NatpmpWorker>(options);
}

}  // namespace shoal::port_mapping
