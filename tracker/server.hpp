#pragma once
// The whole tracker: one io_context per thread, each with its own HTTP acceptor and UDP
// socket on the shared ports; a control loop for signals, expiry and key rotation.

#include <memory>
#include <optional>
#include <string>

#include "tracker/config.hpp"
#include "util/result.hpp"

namespace shoal::tracker {

class Server {
  public:
    // Loads the access lists and binds the sockets; errors say which address failed.
    static Result<std::unique_ptr<Server>> create(const Config& config);
    ~Server();

    // "HOST:PORT" actually bound, or empty when that listener is off.
    std::string http_address() const;
    std::string udp_address() const;

    // Serves until SIGINT or SIGTERM (or stop()); returns the process exit code.
    int run();
    void stop();

  private:
    struct Impl;
    explicit Server(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
};

// Seconds on the monotonic clock; the tracker's one notion of "now".
std::uint32_t monotonic_seconds();

}  // namespace shoal::tracker
