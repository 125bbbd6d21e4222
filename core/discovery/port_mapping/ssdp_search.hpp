#pragma once
// Finding an Internet gateway with SSDP: M-SEARCHes for InternetGatewayDevice:1 and :2
// multicast from one UDP socket (bound to a device with SO_BINDTODEVICE and sending through it
// with IP_MULTICAST_IF when one is given), sent again after 250 ms and 1 s, and the first valid
// answer taken at once. Answers are taken only from addresses on the local network (the
// subnets of the device's IPv4 addresses, or of every device's when none is given) and must
// pass parse_search_response (ssdp_messages). Blocking; one thread.

#include <chrono>
#include <string>

#include "discovery/port_mapping/protocol_worker.hpp"
#include "discovery/port_mapping/ssdp_messages.hpp"
#include "util/result.hpp"

namespace shoal::port_mapping::ssdp {

// When the searches go out, from the start; those at or after the timeout are not sent.
inline constexpr std::chrono::milliseconds k_search_times[] = {
    std::chrono::milliseconds(0), std::chrono::milliseconds(250), std::chrono::milliseconds(1000)};

// The first valid answer within `timeout`. Without one, the error says why the last answer
// was refused, or that none came (ErrorCode::timeout); ErrorCode::cancelled once `cancelled()`.
Result<SearchResponse> search_gateway(const std::string& interface,
                                      std::chrono::milliseconds timeout,
                                      const Cancelled& cancelled);

}  // namespace shoal::port_mapping::ssdp
