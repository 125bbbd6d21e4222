#pragma once
// One UDP socket for one thread: receive, answer through UdpHandler, send.

#include <boost/asio/awaitable.hpp>

#include "tracker/metrics.hpp"
#include "tracker/net.hpp"
#include "tracker/udp_handler.hpp"

namespace shoal::tracker {

class UdpFrontend {
  public:
    UdpFrontend(udp::socket socket, UdpHandler& handler, Metrics& metrics);

    void start();
    void stop();

  private:
    asio::awaitable<void> receive_loop();

    udp::socket socket_;
    UdpHandler& handler_;
    Metrics& metrics_;
};

}  // namespace shoal::tracker
