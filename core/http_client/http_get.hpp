#pragma once
// One HTTP or HTTPS GET with Boost.Beast: redirects followed, everything within one deadline,
// the reply's size capped. Trackers, and torrent files fetched by URL, use it.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include "net/socket_binding.hpp"
#include "util/result.hpp"

namespace shoal::http_client {

struct GetOptions {
    // For the whole request: the name lookup, connecting, TLS, every redirect and reading
    // the reply.
    std::chrono::milliseconds timeout{30'000};
    int max_redirects = 3;
    std::size_t max_body_bytes = 2 * 1024 * 1024;
    std::string user_agent = "Shoal/0.1";
    // Sent besides Host, User-Agent, Accept-Encoding and Connection; values must be one line.
    std::vector<std::pair<std::string, std::string>> headers;
    // The interface and source address connections leave through.
    net::SocketBinding binding;
};

struct Reply {
    unsigned status = 0;
    std::string reason;
    std::string body;
    // For a redirect to somewhere not followed (neither http nor https: a magnet link, say).
    std::string location;
    boost::asio::ip::tcp::endpoint from;  // the server that answered
};

bool is_redirect(unsigned status);

// A TLS client context that verifies servers against the system's CA store, loaded when its
// first connection is prepared (prepare_tls).
boost::asio::ssl::context make_tls_client_context();

// A TLS client context made when it is first asked for, so that a process that never speaks
// TLS never sets up OpenSSL's TLS side (its ciphers and error strings: 0.7 MiB resident). Used
// from one thread.
class TlsClientContext {
public:
    TlsClientContext() = default;  // make_tls_client_context() on first use
    explicit TlsClientContext(boost::asio::ssl::context ready) : context_(std::move(ready)) {}

    boost::asio::ssl::context& get() {
        if (!context_) context_.emplace(make_tls_client_context());
        return *context_;
    }
    bool made() const { return context_.has_value(); }

private:
    std::optional<boost::asio::ssl::context> context_;
};

// GETs an http or https `url`; HTTPS uses `tls` (verify mode and CAs come from it), SNI and
// host name checks. Redirects to http and https locations are followed; one elsewhere is the
// reply. Errors start with `prefix` and never escape as exceptions.
boost::asio::awaitable<Result<Reply>> get(boost::asio::ssl::context& tls, std::string url, std::string prefix,
                                          GetOptions options = {});

}  // namespace shoal::http_client
