// What shoal-cli says about port mapping: mappings made, failed and lost, and nothing for the
// steps in between.

#include <gtest/gtest.h>

#include "cli/port_mapping_report.hpp"

namespace shoal::cli {
namespace {

using Lines = std::vector<std::string>;

NetworkState::Mapping discovering(const std::string& protocol) {
    return {protocol, "discovering", "", 0, ""};
}
NetworkState::Mapping mapped(const std::string& protocol, const std::string& address,
                             std::uint16_t port) {
    return {protocol, "mapped", address, port, ""};
}
NetworkState::Mapping failed(const std::string& protocol, const std::string& error) {
    return {protocol, "failed", "", 0, error};
}

NetworkState with(NetworkState::Mapping upnp, NetworkState::Mapping natpmp) {
    NetworkState n;
    n.port_mapping = {std::move(upnp), std::move(natpmp)};
    return n;
}

TEST(PortMappingReport, DiscoveringIsNotSaid) {
    PortMappingReport report;
    EXPECT_EQ(report.update(with(discovering("UPnP"), discovering("NAT-PMP"))), Lines{});
    EXPECT_EQ(report.update(NetworkState{}), Lines{});
}

TEST(PortMappingReport, SaysAMappingOnceAndAgainWhenItMoves) {
    PortMappingReport report;
    report.update(with(discovering("UPnP"), discovering("NAT-PMP")));
    EXPECT_EQ(report.update(with(mapped("UPnP", "203.0.113.1", 6881), discovering("NAT-PMP"))),
              Lines{"UPnP: mapped 203.0.113.1:6881"});
    EXPECT_EQ(report.update(with(mapped("UPnP", "203.0.113.1", 6881), discovering("NAT-PMP"))),
              Lines{});
    EXPECT_EQ(report.update(with(mapped("UPnP", "203.0.113.1", 7000), discovering("NAT-PMP"))),
              Lines{"UPnP: mapped 203.0.113.1:7000"});
}

TEST(PortMappingReport, SaysAFailureOnceWhileRetriesFailTheSameWay) {
    PortMappingReport report;
    const auto upnp = discovering("UPnP");
    EXPECT_EQ(report.update(with(upnp, failed("NAT-PMP", "no default gateway"))),
              Lines{"NAT-PMP: failed (no default gateway)"});
    EXPECT_EQ(report.update(with(upnp, discovering("NAT-PMP"))), Lines{});
    EXPECT_EQ(report.update(with(upnp, failed("NAT-PMP", "no default gateway"))), Lines{});
    EXPECT_EQ(report.update(with(upnp, failed("NAT-PMP", "no reply"))),
              Lines{"NAT-PMP: failed (no reply)"});
}

TEST(PortMappingReport, SaysAMappingLost) {
    PortMappingReport report;
    const auto natpmp = discovering("NAT-PMP");
    report.update(with(mapped("UPnP", "203.0.113.1", 6881), natpmp));
    EXPECT_EQ(report.update(with(failed("UPnP", "the router refused"), natpmp)),
              Lines{"UPnP: lost the mapping 203.0.113.1:6881 (the router refused)"});
    // Its retries fail the same way: said already.
    EXPECT_EQ(report.update(with(discovering("UPnP"), natpmp)), Lines{});
    EXPECT_EQ(report.update(with(failed("UPnP", "the router refused"), natpmp)), Lines{});

    report.update(with(mapped("UPnP", "203.0.113.1", 6881), natpmp));
    EXPECT_EQ(report.update(with(discovering("UPnP"), natpmp)),
              Lines{"UPnP: lost the mapping 203.0.113.1:6881"});
}

TEST(PortMappingReport, EachProtocolHasALineOfItsOwn) {
    PortMappingReport report;
    EXPECT_EQ(report.update(with(mapped("UPnP", "203.0.113.1", 6881),
                                 failed("NAT-PMP", "no default gateway"))),
              (Lines{"UPnP: mapped 203.0.113.1:6881", "NAT-PMP: failed (no default gateway)"}));
}

}  // namespace
}  // namespace shoal::cli
