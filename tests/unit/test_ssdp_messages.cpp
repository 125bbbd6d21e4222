// SSDP for finding an Internet gateway: the M-SEARCH as exact text, answers checked line by
// line (they come from the network), LOCATION URLs, and the local network test.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "discovery/port_mapping/ssdp_messages.hpp"

namespace shoal::port_mapping::ssdp {
namespace {

using boost::asio::ip::address_v4;
using boost::asio::ip::make_address_v4;

const address_v4 k_router = make_address_v4("192.0.2.1");
constexpr std::string_view k_targets[] = {k_igd_v1, k_igd_v2};

// A miniupnpd answer, with `location` and `st` in place.
std::string answer(std::string_view location = "http://192.0.2.1:5000/rootDesc.xml",
                   std::string_view st = k_igd_v1) {
    std::string out = "HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\nST: ";
    out += st;
    out += "\r\nUSN: uuid:1d5d0a3d-2fd0-4b46-9e21-b1d3b2a24c5a::";
    out += st;
    out += "\r\nEXT:\r\nSERVER: Debian/12 UPnP/1.1 MiniUPnPd/2.3.1\r\nLOCATION: ";
    out += location;
    out +=
        "\r\nOPT: \"http://schemas.upnp.org/upnp/1/0/\"; ns=01\r\n01-NLS: 1\r\n"
        "BOOTID.UPNP.ORG: 1\r\nCONFIGID.UPNP.ORG: 1337\r\n\r\n";
    return out;
}

Result<SearchResponse> parse(std::string_view datagram, address_v4 from = k_router) {
    return parse_search_response(datagram, from, k_targets);
}

TEST(SsdpMessages, SearchIsTheExactRequest) {
    EXPECT_EQ(encode_search(k_igd_v1, 1),
              "M-SEARCH * HTTP/1.1\r\n"
              "HOST: 239.255.255.250:1900\r\n"
              "MAN: \"ssdp:discover\"\r\n"
              "MX: 1\r\n"
              "ST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\n"
              "\r\n");
    // MX is kept within 1 to 5 seconds.
    EXPECT_NE(encode_search(k_igd_v2, 0).find("\r\nMX: 1\r\n"), std::string::npos);
    EXPECT_NE(encode_search(k_igd_v2, 9).find("\r\nMX: 5\r\n"), std::string::npos);
    EXPECT_EQ(k_multicast_address, make_address_v4("239.255.255.250"));
}

TEST(SsdpMessages, MiniupnpdAnswerIsTaken) {
    const auto r = parse(answer());
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->location, "http://192.0.2.1:5000/rootDesc.xml");
    EXPECT_EQ(r->st, k_igd_v1);
    EXPECT_EQ(r->url.host, k_router);
    EXPECT_EQ(r->url.port, 5000);
    EXPECT_EQ(r->url.path, "/rootDesc.xml");
}

TEST(SsdpMessages, VersionTwoAndLenientSpellingAreTaken) {
    // Header names any case, no space after the colon, spaces around values, bare LF lines, an
    // HTTP/1.0 status line with another reason, no blank line at the end.
    const std::string text =
        "HTTP/1.0 200 Fine\nlocation:http://192.0.2.1/desc.xml  \nSt:   " + std::string(k_igd_v2) +
        "\t\n";
    const auto r = parse(text);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->st, k_igd_v2);
    EXPECT_EQ(r->location, "http://192.0.2.1/desc.xml");
    EXPECT_EQ(r->url.port, 80);
    // Empty lines after the headers are fine; a status line without a reason too.
    EXPECT_TRUE(parse("HTTP/1.1 200\r\nST: " + std::string(k_igd_v1) +
                      "\r\nLOCATION: http://192.0.2.1:1/\r\n\r\n\r\n\n"));
}

TEST(SsdpMessages, StatusLineMustBeOk) {
    for (std::string_view status :
         {"HTTP/1.1 404 Not Found", "HTTP/2.0 200 OK", "HTTP/1.1 2000 OK", "HTTP/1.1  200 OK",
          "NOTIFY * HTTP/1.1", "M-SEARCH * HTTP/1.1", "http/1.1 200 OK", "HTTP/1.1 200OK", ""}) {
        std::string text = answer();
        text.replace(0, text.find('\r'), status);
        EXPECT_FALSE(parse(text)) << status;
    }
}

TEST(SsdpMessages, SearchTargetMustBeOneAskedFor) {
    EXPECT_FALSE(parse(answer("http://192.0.2.1:5000/rootDesc.xml", "upnp:rootdevice")));
    EXPECT_FALSE(parse(answer("http://192.0.2.1:5000/rootDesc.xml",
                              "urn:schemas-upnp-org:device:InternetGatewayDevice:3")));
    EXPECT_FALSE(parse(answer("http://192.0.2.1:5000/rootDesc.xml",
                              "urn:schemas-upnp-org:service:WANIPConnection:1")));
    const std::string_view only_v2[] = {k_igd_v2};
    EXPECT_FALSE(parse_search_response(answer(), k_router, only_v2));
}

TEST(SsdpMessages, MissingOrRepeatedHeadersAreRefused) {
    EXPECT_FALSE(parse("HTTP/1.1 200 OK\r\nST: " + std::string(k_igd_v1) + "\r\n\r\n"));
    EXPECT_FALSE(parse("HTTP/1.1 200 OK\r\nLOCATION: http://192.0.2.1/\r\n\r\n"));
    auto twice = answer();
    twice.insert(twice.find("\r\n") + 2, "Location: http://192.0.2.1:1/x\r\n");
    EXPECT_FALSE(parse(twice));
    twice = answer();
    twice.insert(twice.find("\r\n") + 2, "st: " + std::string(k_igd_v2) + "\r\n");
    EXPECT_FALSE(parse(twice));
}

TEST(SsdpMessages, MalformedLinesAreRefused) {
    const auto with_line = [](std::string_view line) {
        auto text = answer();
        text.insert(text.find("\r\n") + 2, std::string(line) + "\r\n");
        return text;
    };
    EXPECT_FALSE(parse(with_line("no colon here")));
    EXPECT_FALSE(parse(with_line(": no name")));
    EXPECT_FALSE(parse(with_line("BAD NAME: x")));
    EXPECT_FALSE(parse(with_line(" folded continuation")));
    EXPECT_FALSE(parse(with_line(std::string("X-NUL: a\0b", 10))));
    EXPECT_FALSE(parse(with_line("X-HIGH: caf\xc3\xa9")));
    EXPECT_FALSE(parse(with_line("X-CR: a\rb")));
    // A body after the headers.
    EXPECT_FALSE(parse(answer() + "<xml/>"));
    EXPECT_FALSE(parse(""));
}

TEST(SsdpMessages, LengthsAreBounded) {
    // A line longer than the limit.
    auto text = answer();
    text.insert(text.find("\r\n") + 2, "X-LONG: " + std::string(k_max_line, 'a') + "\r\n");
    EXPECT_FALSE(parse(text));
    // Too many header lines.
    text = answer();
    for (std::size_t i = 0; i < k_max_header_lines; ++i) {
        text.insert(text.find("\r\n") + 2, "X-" + std::to_string(i) + ": y\r\n");
    }
    EXPECT_FALSE(parse(text));
    // A datagram over the limit, even if otherwise fine.
    text = answer();
    while (text.size() <= k_max_response) {
        text.insert(text.find("\r\n") + 2, "X-PAD: " + std::string(100, 'p') + "\r\n");
    }
    EXPECT_FALSE(parse(text));
    // A LOCATION over its limit.
    EXPECT_FALSE(
        parse(answer("http://192.0.2.1:5000/" + std::string(k_max_location, 'd') + ".xml")));
    // Just under the limits is fine.
    const std::string url = "http://192.0.2.1:5000/";
    EXPECT_TRUE(parse(answer(url + std::string(k_max_location - url.size(), 'd'))));
}

TEST(SsdpMessages, LocationMustBeOnTheSender) {
    EXPECT_FALSE(parse(answer("http://198.51.100.7:5000/rootDesc.xml")));
    EXPECT_FALSE(parse(answer(), make_address_v4("192.0.2.2")));
    EXPECT_TRUE(parse(answer("http://192.0.2.9:80/d.xml"), make_address_v4("192.0.2.9")));
}

TEST(SsdpMessages, LocationMustBeAPlainHttpUrlOnAnAddress) {
    for (std::string_view bad :
         {"https://192.0.2.1:5000/rootDesc.xml", "ftp://192.0.2.1/x", "http:/192.0.2.1/x",
          "192.0.2.1:5000/rootDesc.xml", "http://router.lan:5000/rootDesc.xml",
          "http://user@192.0.2.1:5000/x", "http://192.0.2.1:0/x", "http://192.0.2.1:65536/x",
          "http://192.0.2.1:/x", "http://192.0.2.1:5a/x", "http://192.0.2.1:+80/x",
          "http://192.0.2.1:000080/x", "http://192.0.2.01/x", "http://192.0.2/x",
          "http://192.0.2.256/x", "http://[2001:db8::1]/x", "http://", ""}) {
        EXPECT_FALSE(parse_http_url(bad)) << bad;
        EXPECT_FALSE(parse(answer(bad))) << bad;
    }
    // A space inside LOCATION (trailing ones are trimmed).
    EXPECT_FALSE(parse(answer("http://192.0.2.1:5000/root Desc.xml")));
    const auto upper = parse_http_url("HTTP://192.0.2.1:65535");
    ASSERT_TRUE(upper) << upper.error().message;
    EXPECT_EQ(upper->port, 65535);
    EXPECT_EQ(upper->path, "/");
}

TEST(SsdpMessages, LocalNetworkIsTheSubnetsOfTheDevice) {
    const std::vector<Subnet> subnets = {{make_address_v4("192.0.2.10"), 24},
                                         {make_address_v4("10.1.2.3"), 8}};
    EXPECT_TRUE(on_local_network(k_router, subnets));
    EXPECT_TRUE(on_local_network(make_address_v4("10.200.0.1"), subnets));
    EXPECT_FALSE(on_local_network(make_address_v4("192.0.3.1"), subnets));
    EXPECT_FALSE(on_local_network(make_address_v4("203.0.113.1"), subnets));
    EXPECT_FALSE(on_local_network(k_router, {}));
    const std::vector<Subnet> host = {{make_address_v4("192.0.2.10"), 32}};
    EXPECT_TRUE(on_local_network(make_address_v4("192.0.2.10"), host));
    EXPECT_FALSE(on_local_network(k_router, host));
    const std::vector<Subnet> everything = {{make_address_v4("192.0.2.10"), 0}};
    EXPECT_TRUE(on_local_network(make_address_v4("203.0.113.1"), everything));
}

}  // namespace
}  // namespace shoal::port_mapping::ssdp
