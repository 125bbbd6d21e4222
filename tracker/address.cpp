#include "tracker/address.hpp"

#include <netinet/in.h>

#include <algorithm>
#include <charconv>
#include <cstring>

#include "util/text.hpp"

namespace shoal::tracker {

bool is_disabled(std::string_view listen) {
    return listen.empty() || listen == "off";
}

std::optional<ListenAddress> parse_listen_address(std::string_view text) {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0)
        return std::nullopt;
    std::string_view host = text.substr(0, colon);
    const std::string_view port_text = text.substr(colon + 1);
    if (host.front() == '[') {
        if (host.size() < 3 || host.back() != ']')
            return std::nullopt;
        host = host.substr(1, host.size() - 2);
    } else if (host.find(':') != std::string_view::npos) {
        return std::nullopt;  // a bare IPv6 address needs brackets
    }
    unsigned port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc{} || end != port_text.data() + port_text.size() || port > 65535) {
        return std::nullopt;
    }
    if (!parse_ip(host))
        return std::nullopt;
    return ListenAddress{std::string(host), static_cast<std::uint16_t>(port)};
}

bool endpoint_from_sockaddr(const sockaddr_storage& ss, PeerEndpoint& out) {
    if (ss.ss_family == AF_INET) {
        const auto& sa = reinterpret_cast<const sockaddr_in&>(ss);
        out.address = IpAddress::v4(ntohl(sa.sin_addr.s_addr));
        out.port = ntohs(sa.sin_port);
        return true;
    }
    if (ss.ss_family == AF_INET6) {
        const auto& sa = reinterpret_cast<const sockaddr_in6&>(ss);
        const auto* b = sa.sin6_addr.s6_addr;
        static constexpr std::uint8_t k_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF};
        if (std::memcmp(b, k_mapped, 12) == 0) {
            out.address =
                IpAddress::v4((std::uint32_t{b[12]} << 24) | (std::uint32_t{b[13]} << 16) |
                              (std::uint32_t{b[14]} << 8) | b[15]);
        } else {
            out.address = IpAddress{};
            out.address.family = Family::v6;
            std::memcpy(out.address.bytes.data(), b, 16);
        }
        out.port = ntohs(sa.sin6_port);
        return true;
    }
    return false;
}

IpAddress from_asio(const boost::asio::ip::address& a) {
    if (a.is_v6() && a.to_v6().is_v4_mapped()) {
        return IpAddress::v4(
            boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, a.to_v6()).to_uint());
    }
    if (a.is_v4())
        return IpAddress::v4(a.to_v4().to_uint());
    IpAddress out;
    out.family = Family::v6;
    out.bytes = a.to_v6().to_bytes();
    return out;
}

std::optional<IpAddress> parse_ip(std::string_view text) {
    boost::system::error_code ec;
    auto a = boost::asio::ip::make_address(std::string(text), ec);
    if (ec)
        return std::nullopt;
    return from_asio(a);
}

std::string format_ip(const IpAddress& a) {
    if (a.family == Family::v4) {
        boost::asio::ip::address_v4::bytes_type b{};
        std::copy_n(a.bytes.begin(), 4, b.begin());
        return boost::asio::ip::address_v4(b).to_string();
    }
    return boost::asio::ip::address_v6(a.bytes).to_string();
}

IpAddress client_address(const IpAddress& peer, std::string_view x_real_ip,
                         std::string_view x_forwarded_for,
                         const std::vector<IpAddress>& trusted_proxies) {
    if (std::find(trusted_proxies.begin(), trusted_proxies.end(), peer) == trusted_proxies.end()) {
        return peer;
    }
    if (!x_real_ip.empty()) {
        if (auto a = parse_ip(trim_blanks(x_real_ip)))
            return *a;
    }
    if (!x_forwarded_for.empty()) {
        // The proxy appends the address it saw; earlier entries are the client's own claims.
        const auto comma = x_forwarded_for.rfind(',');
        const auto last =
            comma == std::string_view::npos ? x_forwarded_for : x_forwarded_for.substr(comma + 1);
        if (auto a = parse_ip(trim_blanks(last)))
            return *a;
    }
    return peer;
}

}  // namespace shoal::tracker
