#pragma once
// HTTP/1.1 for one thread: accepts, reads each request head into one buffer per connection
// (http_request), hands it to the router, writes the reply in one write; keep-alive and
// pipelining. Deadlines are checked by one sweep a thread rather than a timer per read, and
// a connection past its deadline is closed.
//
// A new connection is first served without the event loop: its request has usually arrived
// by the time it is accepted, so it is read, answered and (for Connection: close) closed in
// four system calls. Anything else (no request yet, a partial or bad one, keep-alive, a store
// that answers later) continues in the connection's coroutine with what was read.

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <string>

#include "tracker/http_request.hpp"

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
    // One open connection, linked into the frontend's list for the deadline sweep.
    struct Connection {
        explicit Connection(tcp::socket s) : socket(std::move(s)) {}
        tcp::socket socket;
        std::chrono::steady_clock::time_point deadline;
        bool timed_out = false;
        Connection* prev = nullptr;
        Connection* next = nullptr;
    };
    class Registration;

    asio::awaitable<void> accept_loop();
    // Serves a just-accepted (non-blocking) descriptor as far as it can without waiting.
    void serve_first(int fd, const sockaddr_storage& address);
    // `input`: bytes already read; `output`: reply bytes still to send first.
    asio::awaitable<void> serve(tcp::socket socket, IpAddress peer, std::string input,
                                std::string output);
    // The router's reply to a parsed GET or HEAD, for a router that answers at once.
    HttpReply dispatch(const HttpRequestHead& head, const IpAddress& peer);
    void log_request(const IpAddress& peer, std::string_view target, unsigned status) const;
    void sweep();
    // Appends a whole response to `out`.
    static void write_response(std::string& out, bool http11, unsigned status,
                               std::string_view content_type, std::string_view body,
                               bool keep_alive, bool head_only);

    tcp::acceptor acceptor_;
    HttpRouter& router_;
    Metrics& metrics_;
    const Config& config_;
    asio::steady_timer sweep_timer_;
    Connection* connections_ = nullptr;  // the list's head
    std::string first_in_;   // serve_first's buffers, reused
    std::string first_out_;
};

}  // namespace shoal::tracker
