#pragma once
// The network behind an announcer: one announce to one tracker URL. Tests substitute a fake.

#include <string>

#include <boost/asio/awaitable.hpp>

#include "discovery/tracker/announce_types.hpp"
#include "util/result.hpp"

namespace shoal::tracker_client {

// Sends one announce to one tracker; errors carry a message naming the tracker.
class TrackerTransport {
  public:
    virtual ~TrackerTransport() = default;
    virtual boost::asio::awaitable<Result<AnnounceResponse>> announce(std::string url,
                                                                      AnnounceRequest request) = 0;
};

}  // namespace shoal::tracker_client
