#pragma once
// The RPC server's HTTP/1.1 side: POST /transmission/rpc with a JSON body, and GET of the web
// page's files (web_assets.hpp), on one io_context.
// Each request's headers pass the access checks (rpc_access.hpp) before its body is read;
// sizes, time and the number of connections are bounded.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "daemon/rpc_access.hpp"

namespace shoal::daemon {

struct HttpLimits {
    std::size_t max_body = 10 * 1024 * 1024;
    std::size_t max_header = 16 * 1024;
    // A refused request's body is read (so that closing does not reset the answer away)
    // up to this size; a larger one closes the connection after the answer.
    std::size_t max_refused_body = 64 * 1024;
    // For a whole request, and for the next one on a kept-alive connection.
    std::chrono::milliseconds request_timeout{30'000};
    std::size_t max_connections = 32;
};

class RpcServer {
public:
    // A request body in; the JSON answer goes to `reply`, at once or later (on the same
    // io_context). The connection waits for it.
    using Handler = std::function<void(std::string_view body, std::function<void(std::string)> reply)>;

    // Listens at once; throws boost::system::system_error when it cannot.
    RpcServer(boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& bind, RpcAccess access,
              Handler handler, HttpLimits limits = {});
    ~RpcServer();
    RpcServer(const RpcServer&) = delete;
    RpcServer& operator=(const RpcServer&) = delete;

    boost::asio::ip::tcp::endpoint local_endpoint() const;
    // The access checks for the requests read from now on; the session id stays.
    void set_access(RpcAccess access);
    // Stops accepting and closes every connection.
    void stop();

    struct State;

private:
    std::shared_ptr<State> state_;
};

}  // namespace shoal::daemon
