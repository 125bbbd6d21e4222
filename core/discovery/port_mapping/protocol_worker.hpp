#pragma once
// One protocol's side of a PortMapper, driven by that protocol's thread (port_mapper.cpp):
// blocking calls with timeouts, never on the network thread.

#include <chrono>
#include <functional>
#include <memory>

#include "discovery/port_mapping/port_mapper.hpp"

namespace shoal::port_mapping {

// True once the mapper is stopping; long waits check it.
using Cancelled = std::function<bool()>;

class ProtocolWorker {
  public:
    virtual ~ProtocolWorker() = default;
    // Maps the port, or renews the mapping made before. On success fills `status` (external
    // address, ports, gateway) and returns true; otherwise sets status.error (a sentence for
    // people) and returns false. Returns early once `cancelled()`.
    virtual bool map(ProtocolStatus& status, const Cancelled& cancelled) = 0;
    // How long after a successful map() to renew it.
    virtual std::chrono::seconds renew_after() const = 0;
    // Deletes the mappings it made, bounded to about 3 s; nothing when there are none.
    virtual void unmap() = 0;
};

std::unique_ptr<ProtocolWorker> make_upnp_worker(const PortMapperOptions& options);
std::unique_ptr<ProtocolWorker> make_natpmp_worker(const PortMapperOptions& options);

}  // namespace shoal::port_mapping
