#pragma once
// The parts of an HTTP(S) client connection that the one-off GET and web seeds' kept-alive
// connections share: the Host header, connecting through the session's binding, TLS set up
// for a host, and where a redirect goes.

#include <functional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "http_client/url.hpp"
#include "net/socket_binding.hpp"
#include "util/result.hpp"

namespace shoal::http_client {

// "host" or "host:port" (the port when it is not the scheme's), IPv6 in brackets.
std::string host_header(const UrlParts& parts);

// Connects `stream` to the first of `endpoints` that answers, each socket bound as `binding`
// says, within the stream's deadline (set by the caller). A failure to connect is put in
// words by `describe`; a timeout ends the attempts.
boost::asio::awaitable<Result<Done>> connect_first(
    boost::beast::tcp_stream& stream, const std::vector<boost::asio::ip::tcp::endpoint>& endpoints,
    const net::SocketBinding& binding, const std::function<Error(const boost::system::error_code&)>& describe);

// The system's CA store (OpenSSL's default verify paths, so SSL_CERT_FILE and SSL_CERT_DIR
// apply) is loaded into `tls` by the first prepare_tls of a stream on it: a session that
// never speaks TLS does not hold some hundred CA certificates.
void load_ca_store_on_first_use(boost::asio::ssl::context& tls);

// The server name (SNI, unless `host` is an IP address) and host name verification for a TLS
// client stream to `host`, after the context's CA store is loaded if it is still due.
Result<Done> prepare_tls(boost::asio::ssl::stream<boost::beast::tcp_stream>& stream, const std::string& host);

// Where a redirect from `url` to `location` goes: an absolute http(s) URL as it is, a path
// ("/...") on the same scheme and authority; empty for anything else.
std::string redirect_target(const std::string& url, const std::string& location);

}  // namespace shoal::http_client
