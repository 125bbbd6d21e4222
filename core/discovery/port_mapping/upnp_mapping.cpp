// The UPnP IGD side of a PortMapper, through miniupnpc: SSDP discovery (on the given device),
// the first valid Internet gateway, its external address, then the TCP and the UDP mapping of
// the local port to one external port (the same number when free; on a conflict a few random
// ones). Renewal adds the same mappings again; when that fails the gateway is found anew.

#include <miniupnpc/miniupnpc.h>
#include <miniupnpc/upnpcommands.h>
#include <miniupnpc/upnperrors.h>

#include <array>
#include <optional>
#include <random>

#include "discovery/port_mapping/gateway.hpp"
#include "discovery/port_mapping/protocol_worker.hpp"

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

std::string seconds_text(std::chrono::milliseconds t) {
    if (t.count() % 1000 == 0) {
        return std::to_string(t.count() / 1000) + " s";
    }
    return std::to_string(t.count()) + " ms";
}

// A gateway found by discovery: its control URL and service, and the address it sees us by.
struct Igd {
    UPNPUrls urls{};
    IGDdatas data{};
    std::string lan_address;
    Igd() = default;
    Igd(const Igd&) = delete;
    Igd& operator=(const Igd&) = delete;
    ~Igd() { FreeUPNPUrls(&urls); }
    const char* control() const { return urls.controlURL; }
    const char* service() const { return data.first.servicetype; }
};

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
        if (!discover(status)) {
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
    // The discovery time: miniupnpc waits at least a second (SSDP's MX is in seconds).
    std::chrono::milliseconds search_time() const {
        return std::max<std::chrono::milliseconds>(options_.discovery_timeout, 1s);
    }

    // SSDP search for Internet gateways (a version 2 gateway answers a search for version 1),
    // in rounds of a second, each sent again: miniupnpc waits a round's whole delay after the
    // last answer, and searches for one device type after another, so one type and short
    // rounds keep discovery within the timeout.
    UPNPDev* search() {
        static const char* const k_types[] = {"urn:schemas-upnp-org:device:InternetGatewayDevice:1",
                                              nullptr};
        const char* multicast_if =
            options_.interface.empty() ? nullptr : options_.interface.c_str();
        auto left = search_time();
        while (left.count() > 0) {
            const auto delay = left >= 2s ? std::chrono::milliseconds(1s) : left;
            left -= delay;
            int error = 0;
            UPNPDev* devices =
                upnpDiscoverDevices(k_types, static_cast<int>(delay.count()), multicast_if, nullptr,
                                    UPNP_LOCAL_PORT_ANY, 0, 2, &error, 0);
            if (devices) {
                return devices;
            }
        }
        return nullptr;
    }

    bool discover(ProtocolStatus& status) {
        UPNPDev* devices = search();
        if (!devices) {
            status.error =
                "no UPnP router answered within " + seconds_text(options_.discovery_timeout);
            return false;
        }
        auto igd = std::make_unique<Igd>();
        std::array<char, 64> lan{};
        const int found = UPNP_GetValidIGD(devices, &igd->urls, &igd->data, lan.data(),
                                           static_cast<int>(lan.size()));
        freeUPNPDevlist(devices);
        // 1: a connected gateway; 2: a gateway that says it is not connected (it may still
        // map); 3: some other UPnP device.
        if (found != 1 && found != 2) {
            status.error = found == 0 ? "no UPnP Internet gateway answered"
                                      : "the UPnP devices that answered are not Internet gateways";
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
        status.gateway = igd->control() ? igd->control() : "";
        std::array<char, 40> external{};
        const int r = UPNP_GetExternalIPAddress(igd->control(), igd->service(), external.data());
        if (r != UPNPCOMMAND_SUCCESS) {
            status.error = "router did not tell its external address: " + describe(r);
            return false;
        }
        boost::system::error_code ec;
        const auto address = boost::asio::ip::make_address_v4(external.data(), ec);
        if (ec || address.is_unspecified()) {
            status.error =
                std::string("router has no usable external address (\"") + external.data() + "\")";
            return false;
        }
        status.external_address = address;
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
        std::array<char, 40> external{};
        if (UPNP_GetExternalIPAddress(igd_->control(), igd_->service(), external.data()) ==
            UPNPCOMMAND_SUCCESS) {
            boost::system::error_code ec;
            const auto address = boost::asio::ip::make_address_v4(external.data(), ec);
            if (!ec && !address.is_unspecified()) {
                status.external_address = address;
            }
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
