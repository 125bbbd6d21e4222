// The UPnP IGD side of a PortMapper: SSDP discovery of our own (ssdp_search, on the given
// device, done at the first valid answer), then through miniupnpc the gateway's description,
// its external address, and the TCP and the UDP mapping of the local port to one external port
// (the same number when free; on a conflict a few random ones). Renewal adds the same mappings
// again; when that fails the gateway is found anew.

#include <miniupnpc/miniupnpc.h>
#include <miniupnpc/upnpcommands.h>
#include <miniupnpc/upnperrors.h>

#include <array>
#include <optional>
#include <random>
#include <string_view>
#include <utility>

#include "discovery/port_mapping/gateway.hpp"
#include "discovery/port_mapping/protocol_worker.hpp"
#include "discovery/port_mapping/ssdp_search.hpp"

namespace shoal::port_mapping {

namespace {

using namespace std::chrono_literals;

constexpr int k_conflict = 718;               // ConflictInMappingEntry
constexpr int k_only_permanent_leases = 725;  // OnlyPermanentLeasesSupported
constexpr int k_random_tries = 4;             // external ports tried after a conflict
constexpr std::chrono::seconds k_permanent_recheck{20 * 60};

std::string describe(int code) {
    const char* name = strupnperror(code);
    return std::string(name ? name : "unknown error") + " (" + std::to_string(code) + ")";
}

// A WAN connection service, the one that maps ports: WANIPConnection or WANPPPConnection, any
// version.
bool is_connection_service(const char* type) {
    const std::string_view t(type);
    return t.starts_with("urn:schemas-upnp-org:service:WANIPConnection:") ||
           t.starts_with("urn:schemas-upnp-org:service:WANPPPConnection:");
}

// A gateway found by discovery: its control URL and service, and the address it sees us by.
struct Igd {
    UPNPUrls urls{};
    IGDdatas data{};
    std::string location;  // its description's URL
    std::string lan_address;
    Igd() = default;
    Igd(const Igd&) = delete;
    Igd& operator=(const Igd&) = delete;
    ~Igd() { FreeUPNPUrls(&urls); }
    const char* control() const { return urls.controlURL; }
    const char* service() const { return data.first.servicetype; }
};

// The control URL must be on the host that answered the search (the description could name
// any); the error says what is wrong, nothing when it is fine.
std::optional<std::string> check_control_host(const Igd& igd, const ssdp::HttpUrl& location) {
    auto control = ssdp::parse_http_url(igd.control());
    if (!control) {
        return "the UPnP router's control " + control.error().message;
    }
    if (control->host != location.host) {
        return "the UPnP router at " + location.host.to_string() + " names a control URL on " +
               control->host.to_string();
    }
    return std::nullopt;
}

class UpnpWorker final : public ProtocolWorker {
  public:
    explicit UpnpWorker(const PortMapperOptions& options)
        : options_(options), random_(std::random_device{}()) {}

    bool map(ProtocolStatus& status, const Cancelled& cancelled) override {
        if (igd_ && external_port_ && renew(status)) {
            return true;
        }
        igd_.reset();
        if (cancelled && cancelled()) {
            status.error = "stopped";
            return false;
        }
        if (!discover(status, cancelled)) {
            return false;
        }
        return add_mappings(status, cancelled);
    }

    std::chrono::seconds renew_after() const override {
        return lease_.count() == 0 ? k_permanent_recheck
                                   : std::max<std::chrono::seconds>(lease_ / 2, 1s);
    }

    void unmap() override {
        if (!igd_ || !external_port_) {
            return;
        }
        const auto port = std::to_string(external_port_);
        for (const char* proto : {"TCP", "UDP"}) {
            UPNP_DeletePortMapping(igd_->control(), igd_->service(), port.c_str(), proto, nullptr);
        }
        external_port_ = 0;
    }

  private:
    // The gateway's external address through the connection service in igd->data.first.
    static Result<boost::asio::ip::address_v4> external_address(const Igd& igd) {
        std::array<char, 40> external{};
        const int r = UPNP_GetExternalIPAddress(igd.control(), igd.service(), external.data());
        if (r != UPNPCOMMAND_SUCCESS) {
            return make_error(ErrorCode::refused,
                              "router did not tell its external address: " + describe(r));
        }
        boost::system::error_code ec;
        const auto address = boost::asio::ip::make_address_v4(external.data(), ec);
        if (ec || address.is_unspecified()) {
            return make_error(ErrorCode::unavailable, "router has no usable external address (\"" +
                                                          std::string(external.data()) + "\")");
        }
        return address;
    }

    // SSDP finds the gateway (ssdp_search: the first valid answer, at once); miniupnpc fetches
    // the description its LOCATION names and works out the control URL of its WANIPConnection
    // (or WANPPPConnection) service, which must be on the same host.
    bool discover(ProtocolStatus& status, const Cancelled& cancelled) {
        auto found =
            ssdp::search_gateway(options_.interface, options_.discovery_timeout, cancelled);
        if (!found) {
            status.error = found.error().message;
            return false;
        }
        auto igd = std::make_unique<Igd>();
        std::array<char, 64> lan{};
        if (UPNP_GetIGDFromUrl(found->location.c_str(), &igd->urls, &igd->data, lan.data(),
                               static_cast<int>(lan.size())) != 1) {
            status.gateway = found->location;
            status.error = "cannot read the UPnP router's description at " + found->location;
            return false;
        }
        igd->location = found->location;
        if (!is_connection_service(igd->data.first.servicetype) || !igd->control()) {
            status.gateway = found->location;
            status.error = "the UPnP device at " + found->location + " is not an Internet gateway";
            return false;
        }
        if (auto error = check_control_host(*igd, found->url)) {
            status.gateway = found->location;
            status.error = *error;
            return false;
        }
        igd->lan_address = lan.data();
        if (!options_.interface.empty()) {
            auto own = interface_address(options_.interface);
            if (!own) {
                status.error = own.error().message;
                return false;
            }
            igd->lan_address = own->to_string();
        }
        auto address = external_address(*igd);
        // A gateway with both an IP and a PPP connection service: the first may be the one
        // not in use (what miniupnpc's UPNP_GetValidIGD tries as well).
        if (!address && is_connection_service(igd->data.second.servicetype)) {
            std::swap(igd->data.first, igd->data.second);
            FreeUPNPUrls(&igd->urls);
            GetUPNPUrls(&igd->urls, &igd->data, igd->location.c_str(), 0);
            if (igd->control() && !check_control_host(*igd, found->url)) {
                address = external_address(*igd);
            }
        }
        status.gateway = igd->control() ? igd->control() : found->location;
        if (!address) {
            status.error = address.error().message;
            return false;
        }
        status.external_address = *address;
        igd_ = std::move(igd);
        return true;
    }

    // One mapping; the UPnP error code, or 0.
    int add(std::uint16_t external, const char* proto) {
        const auto ext = std::to_string(external);
        const auto internal = std::to_string(options_.local_port);
        const auto lease = std::to_string(lease_.count());
        return UPNP_AddPortMapping(igd_->control(), igd_->service(), ext.c_str(), internal.c_str(),
                                   igd_->lan_address.c_str(), options_.description.c_str(), proto,
                                   nullptr, lease.c_str());
    }

    // Both mappings on `external`; on 725 once more as permanent. The error code, or 0.
    int add_both(std::uint16_t external) {
        int r = add(external, "TCP");
        if (r == k_only_permanent_leases && lease_.count() != 0) {
            lease_ = 0s;
            r = add(external, "TCP");
        }
        if (r != 0) {
            return r;
        }
        r = add(external, "UDP");
        if (r != 0) {
            const auto ext = std::to_string(external);
            UPNP_DeletePortMapping(igd_->control(), igd_->service(), ext.c_str(), "TCP", nullptr);
        }
        return r;
    }

    bool add_mappings(ProtocolStatus& status, const Cancelled& cancelled) {
        lease_ = options_.lease;
        std::uniform_int_distribution<int> pick(1024, 65535);
        std::uint16_t candidate = options_.local_port;
        int last = 0;
        for (int attempt = 0; attempt <= k_random_tries; ++attempt) {
            if (cancelled && cancelled()) {
                status.error = "stopped";
                return false;
            }
            last = add_both(candidate);
            if (last == 0) {
                external_port_ = candidate;
                status.external_tcp_port = status.external_udp_port = candidate;
                status.error.clear();
                return true;
            }
            if (last != k_conflict) {
                break;
            }
            candidate = static_cast<std::uint16_t>(pick(random_));
        }
        status.error = "router refused: " + describe(last);
        return false;
    }

    bool renew(ProtocolStatus& status) {
        if (add(external_port_, "TCP") != 0 || add(external_port_, "UDP") != 0) {
            return false;
        }
        if (auto address = external_address(*igd_)) {
            status.external_address = *address;
        }
        status.external_tcp_port = status.external_udp_port = external_port_;
        status.gateway = igd_->control() ? igd_->control() : "";
        status.error.clear();
        return true;
    }

    PortMapperOptions options_;
    std::mt19937 random_;
    std::unique_ptr<Igd> igd_;
    std::uint16_t external_port_ = 0;  // mapped for TCP and UDP; 0 when nothing is
    std::chrono::seconds lease_{0};    // what the mappings were asked for (0: permanent)
};

}  // namespace

std::unique_ptr<ProtocolWorker> make_upnp_worker(const PortMapperOptions& options) {
    return std::make_unique<UpnpWorker>(options);
}

}  // namespace shoal::port_mapping
