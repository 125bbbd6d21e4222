#pragma once
// SSDP (UPnP Device Architecture 1.1, section 1.3) as far as finding an Internet gateway
// takes: the M-SEARCH request a control point multicasts, and the unicast answer a device
// sends back, parsed with every field we use checked. Answers come from the network, so
// nothing in them is trusted: the status line must be HTTP/1.x 200, the length, the number of
// header lines and each line's length are bounded, the ST header must name a type we searched
// for, and LOCATION must be a plain http:// URL whose host is the IPv4 address the answer came
// from (so that an answer cannot point us at some other host). Pure functions.

#include <boost/asio/ip/address_v4.hpp>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace shoal::port_mapping::ssdp {

inline constexpr std::uint16_t k_port = 1900;
inline const boost::asio::ip::address_v4 k_multicast_address{0xEFFFFFFA};  // 239.255.255.250
inline constexpr std::string_view k_igd_v1 = "urn:schemas-upnp-org:device:InternetGatewayDevice:1";
inline constexpr std::string_view k_igd_v2 = "urn:schemas-upnp-org:device:InternetGatewayDevice:2";

// Limits on an answer: a datagram longer than this is refused whole.
inline constexpr std::size_t k_max_response = 1500;
inline constexpr std::size_t k_max_header_lines = 32;
inline constexpr std::size_t k_max_line = 512;
inline constexpr std::size_t k_max_location = 256;

// An M-SEARCH for search target `st`, asking devices to answer within `mx_seconds` (1 to 5).
std::string encode_search(std::string_view st, int mx_seconds);

// An http:// URL with an IPv4 literal for its host.
struct HttpUrl {
    boost::asio::ip::address_v4 host;
    std::uint16_t port = 80;
    std::string path;  // from the first '/', or "/" when the URL has none
};

// Parses "http://A.B.C.D[:PORT][/PATH]": the scheme any case, the host a dotted quad, the port
// 1 to 65535, no user part, the whole printable ASCII without spaces, at most k_max_location
// characters. Host names are refused: a gateway names itself by its address.
Result<HttpUrl> parse_http_url(std::string_view url);

struct SearchResponse {
    std::string location;  // the device description's URL, as sent
    HttpUrl url;           // the same, parsed
    std::string st;        // the search target it answers (one of those asked for)
};

// The answer to an M-SEARCH for one of `targets`, received from `source`; an error names what
// is wrong with it.
Result<SearchResponse> parse_search_response(std::string_view datagram,
                                             const boost::asio::ip::address_v4& source,
                                             std::span<const std::string_view> targets);

// An IPv4 network: an address and its prefix length (0 to 32).
struct Subnet {
    boost::asio::ip::address_v4 address;
    unsigned prefix = 32;
};

// True when `address` lies within one of `subnets`.
bool on_local_network(const boost::asio::ip::address_v4& address, std::span<const Subnet> subnets);

}  // namespace shoal::port_mapping::ssdp
