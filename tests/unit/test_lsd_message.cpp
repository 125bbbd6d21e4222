// Local discovery announces (BEP 14): the exact bytes we send, and what the parser refuses.

#include <gtest/gtest.h>

#include <string>

#include "discovery/lsd/lsd_message.hpp"

namespace shoal::lsd {
namespace {

const SwarmHash k_a = *SwarmHash::from_hex("c0fda1edafdbdbb96443424e0b3899af7159d10e");
const SwarmHash k_b = *SwarmHash::from_hex("0123456789abcdef0123456789abcdef01234567");

std::string error_of(std::string_view datagram, const ParseLimits& limits = {}) {
    auto a = parse_announce(datagram, limits);
    return a.ok() ? "(accepted)" : a.error().message;
}

TEST(LsdMessage, EncodesAsBep14Shows) {
    Announce a{host_header(k_group_v4, k_lsd_port), 6881, {k_a}, "abc123"};
    EXPECT_EQ(encode_announce(a),
              "BT-SEARCH * HTTP/1.1\r\n"
              "Host: 239.192.152.143:6771\r\n"
              "Port: 6881\r\n"
              "Infohash: c0fda1edafdbdbb96443424e0b3899af7159d10e\r\n"
              "cookie: abc123\r\n"
              "\r\n"
              "\r\n");
    EXPECT_EQ(host_header(k_group_v6, k_lsd_port), "[ff15::efc0:988f]:6771");
}

TEST(LsdMessage, RoundTripsSeveralHashes) {
    Announce a{host_header(k_group_v6, k_lsd_port), 1, {k_a, k_b}, ""};
    auto p = parse_announce(encode_announce(a));
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_EQ(p->host, "[ff15::efc0:988f]:6771");
    EXPECT_EQ(p->port, 1);
    EXPECT_EQ(p->info_hashes, (std::vector<SwarmHash>{k_a, k_b}));
    EXPECT_EQ(p->cookie, "");
}

TEST(LsdMessage, AcceptsOtherClientsSpellings) {
    // Header names in any case, extra spaces, unknown headers, a single final empty line,
    // upper-case hex.
    auto p = parse_announce(
        "BT-SEARCH * HTTP/1.1\r\nHOST: 239.192.152.143:6771\r\nport:  51413 \r\n"
        "X-Whatever: 1\r\nINFOHASH: C0FDA1EDAFDBDBB96443424E0B3899AF7159D10E\r\n"
        "Infohash: c0fda1edafdbdbb96443424e0b3899af7159d10e\r\n\r\n");
    ASSERT_TRUE(p.ok()) << p.error().message;
    EXPECT_EQ(p->port, 51413);
    EXPECT_EQ(p->info_hashes, (std::vector<SwarmHash>{k_a}));  // duplicates collapse
}

TEST(LsdMessage, RefusesMalformedAnnounces) {
    const std::string host = "Host: 239.192.152.143:6771\r\n";
    const std::string port = "Port: 6881\r\n";
    const std::string hash = "Infohash: c0fda1edafdbdbb96443424e0b3899af7159d10e\r\n";
    const std::string start = "BT-SEARCH * HTTP/1.1\r\n";
    EXPECT_EQ(error_of(start + host + port + hash + "\r\n"), "(accepted)");
    EXPECT_NE(error_of(""), "(accepted)");
    EXPECT_NE(error_of("M-SEARCH * HTTP/1.1\r\n" + host + port + hash + "\r\n"), "(accepted)");
    EXPECT_NE(error_of(start + host + port + hash), "(accepted)");  // no empty line
    EXPECT_NE(error_of("BT-SEARCH * HTTP/1.1\n" + host + port + hash + "\n"), "(accepted)");
    EXPECT_NE(error_of(start + port + hash + "\r\n"), "(accepted)");  // no host
    EXPECT_NE(error_of(start + host + hash + "\r\n"), "(accepted)");  // no port
    EXPECT_NE(error_of(start + host + port + "\r\n"), "(accepted)");  // no hash
    EXPECT_NE(error_of(start + host + port + port + hash + "\r\n"), "(accepted)");
    EXPECT_NE(error_of(start + host + "Port: 0\r\n" + hash + "\r\n"), "(accepted)");
    EXPECT_NE(error_of(start + host + "Port: 65536\r\n" + hash + "\r\n"), "(accepted)");
    EXPECT_NE(error_of(start + host + "Port: -1\r\n" + hash + "\r\n"), "(accepted)");
    EXPECT_NE(error_of(start + host + "Port: 68x\r\n" + hash + "\r\n"), "(accepted)");
    EXPECT_NE(error_of(start + host + port + "Infohash: c0fda1\r\n\r\n"), "(accepted)");
    EXPECT_NE(error_of(start + host + port + "Infohash: " + std::string(40, 'g') + "\r\n\r\n"),
              "(accepted)");
    EXPECT_NE(error_of(start + host + port + hash + "no colon\r\n\r\n"), "(accepted)");
    EXPECT_NE(error_of(start + host + port + hash + "\r\nbody"), "(accepted)");
    EXPECT_NE(error_of(start + host + port + hash + "X: a\x01z\r\n\r\n"), "(accepted)");
    EXPECT_NE(error_of(start + host + port + hash + "cookie: " + std::string(65, 'c') + "\r\n\r\n"),
              "(accepted)");
}

TEST(LsdMessage, Limits) {
    Announce a{host_header(k_group_v4, k_lsd_port), 6881, {}, "c"};
    for (std::uint8_t i = 0; i < 33; ++i) {
        SwarmHash h;
        h.bytes[0] = i;
        a.info_hashes.push_back(h);
    }
    const std::string big = encode_announce(a);
    ParseLimits roomy;
    roomy.max_size = 4096;
    EXPECT_NE(error_of(big, roomy), "(accepted)");  // 33 hashes
    EXPECT_NE(error_of(big), "(accepted)");         // and over 1500 bytes
    ParseLimits few;
    few.max_info_hashes = 2;
    a.info_hashes.resize(2);
    EXPECT_EQ(error_of(encode_announce(a), few), "(accepted)");
    a.info_hashes.resize(3, k_a);
    EXPECT_NE(error_of(encode_announce(a), few), "(accepted)");
    ParseLimits headers;
    headers.max_headers = 3;
    EXPECT_NE(error_of(encode_announce(a), headers), "(accepted)");
}

TEST(LsdMessage, SplitsLargeAnnouncesUnderTheMtu) {
    Announce a{host_header(k_group_v4, k_lsd_port), 6881, {}, "cookie"};
    for (std::uint8_t i = 0; i < 100; ++i) {
        SwarmHash h;
        h.bytes[19] = i;
        a.info_hashes.push_back(h);
    }
    const auto datagrams = encode_announces(a);
    ASSERT_GT(datagrams.size(), 1u);
    std::vector<SwarmHash> seen;
    for (const auto& d : datagrams) {
        EXPECT_LE(d.size(), k_max_announce_size);
        ParseLimits limits;
        limits.max_info_hashes = 100;
        auto p = parse_announce(d, limits);
        ASSERT_TRUE(p.ok()) << p.error().message;
        EXPECT_EQ(p->cookie, "cookie");
        seen.insert(seen.end(), p->info_hashes.begin(), p->info_hashes.end());
    }
    EXPECT_EQ(seen, a.info_hashes);
    EXPECT_TRUE(encode_announces(Announce{}).empty());
}

}  // namespace
}  // namespace shoal::lsd
