#include "util/endpoint.hpp"

#include <algorithm>
#include <charconv>

namespace shoal {

Result<HostPort> split_host_port(std::string_view text) {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return make_error("is not HOST:PORT");
    std::string_view host = text.substr(0, colon);
    if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
    const std::string_view digits = text.substr(colon + 1);
    unsigned port = 0;
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
    if (ec != std::errc() || end != digits.data() + digits.size() || port < 1 || port > 65535) {
        return make_error("has an invalid port");
    }
    return HostPort{std::string(host), static_cast<std::uint16_t>(port)};
}

std::optional<boost::asio::ip::tcp::endpoint> parse_ip_endpoint(std::string_view text) {
    auto parts = split_host_port(text);
    if (!parts) return std::nullopt;
    boost::system::error_code ec;
    const auto address = boost::asio::ip::make_address(parts->host, ec);
    if (ec) return std::nullopt;
    return boost::asio::ip::tcp::endpoint(address, parts->port);
}

std::optional<boost::asio::ip::address> address_from_bytes(std::string_view bytes) {
    namespace ip = boost::asio::ip;
    if (bytes.size() == 4) {
        ip::address_v4::bytes_type b;
        std::copy(bytes.begin(), bytes.end(), b.begin());
        return ip::address_v4(b);
    }
    if (bytes.size() == 16) {
        ip::address_v6::bytes_type b;
        std::copy(bytes.begin(), bytes.end(), b.begin());
        return ip::address_v6(b);
    }
    return std::nullopt;
}

}  // namespace shoal
