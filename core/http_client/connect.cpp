// GCC 12 at -O3 misreads Asio's recycled coroutine frames as freeing a non-heap pointer
// (-Wfree-nonheap-object, a false positive); the frames come from operator new.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wfree-nonheap-object"
#endif

#include "http_client/connect.hpp"

#include <openssl/ssl.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <mutex>

#include "net/bound_tcp_socket.hpp"

namespace shoal::http_client {

namespace asio = boost::asio;
namespace beast = boost::beast;

namespace {

bool starts_with_nocase(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        if ((c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c) != static_cast<unsigned char>(prefix[i])) return false;
    }
    return true;
}

bool is_ip_literal(const std::string& host) {
    boost::system::error_code ec;
    asio::ip::make_address(host, ec);
    return !ec;
}

}  // namespace

std::string host_header(const UrlParts& parts) {
    std::string host = parts.host.find(':') != std::string::npos ? "[" + parts.host + "]" : parts.host;
    if (parts.port != (parts.scheme == "https" ? 443 : 80)) host += ":" + std::to_string(parts.port);
    return host;
}

asio::awaitable<Result<Done>> connect_first(beast::tcp_stream& stream, const std::vector<asio::ip::tcp::endpoint>& endpoints,
                                            const net::SocketBinding& binding,
                                            const std::function<Error(const boost::system::error_code&)>& describe) {
    Error last = describe(asio::error::host_not_found);
    for (const auto& endpoint : endpoints) {
        auto& socket = stream.socket();
        boost::system::error_code ignored;
        socket.close(ignored);
        if (auto opened = net::open_bound_tcp_socket(socket, endpoint.protocol(), binding); !opened) {
            last = opened.error();
            continue;
        }
        auto [ec] = co_await stream.async_connect(endpoint, asio::as_tuple(asio::use_awaitable));
        if (!ec) co_return Done{};
        last = describe(ec);
        if (ec == beast::error::timeout || ec == asio::error::operation_aborted) break;
    }
    co_return last;
}

namespace {

// The slot that marks a context whose CA store is still to be loaded.
int pending_ca_slot() {
    static const int slot = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
    return slot;
}

std::mutex ca_loading;

}  // namespace

void load_ca_store_on_first_use(asio::ssl::context& tls) {
    SSL_CTX_set_ex_data(tls.native_handle(), pending_ca_slot(), &ca_loading);
}

Result<Done> prepare_tls(asio::ssl::stream<beast::tcp_stream>& stream, const std::string& host) {
    SSL_CTX* context = SSL_get_SSL_CTX(stream.native_handle());
    {
        const std::lock_guard lock(ca_loading);
        if (SSL_CTX_get_ex_data(context, pending_ca_slot())) {
            SSL_CTX_set_ex_data(context, pending_ca_slot(), nullptr);
            if (!SSL_CTX_set_default_verify_paths(context)) return make_error("cannot load the system's CA certificates");
        }
    }
    if (!is_ip_literal(host) && !SSL_set_tlsext_host_name(stream.native_handle(), host.c_str()))
        return make_error("cannot set the TLS server name");
    stream.set_verify_callback(asio::ssl::host_name_verification(host));
    return Done{};
}

std::string redirect_target(const std::string& url, const std::string& location) {
    if (starts_with_nocase(location, "http://") || starts_with_nocase(location, "https://")) return location;
    if (location.starts_with("/") && !location.starts_with("//")) {
        const auto scheme_end = url.find("://");
        const auto authority_end = url.find_first_of("/?#", scheme_end + 3);
        return url.substr(0, authority_end) + location;
    }
    return {};
}

}  // namespace shoal::http_client
