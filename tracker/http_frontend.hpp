#pragma once
// HTTP/1.1 over Beast for one thread: accepts, reads requests with limits and a deadline,
// hands them to the router, writes replies; keep-alive.

#include <boost/asio/awaitable.hpp>

#include "tracker/config.hpp"
#include "tracker/http_router.hpp"
#include "tracker/metrics.hpp"
#include "tracker/net.hpp"

namespace shoal::tracker {

class HttpFrontend {
  public:
    HttpFrontend(tcp::acceptor acceptor, HttpRouter& router, Metrics& metrics,
                 const Config& config);

    void start();
    void stop();

  private:
    asio::awaitable<void> accept_loop();
    asio::awaitable<void> serve(tcp::socket socket, tcp::endpoint remote);

    tcp::acceptor acceptor_;
    HttpRouter& router_;
    Metrics& metrics_;
    const Config& config_;
};

}  // namespace shoal::tracker
