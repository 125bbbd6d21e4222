// Votes on our external address: counted once per reporting node.

#include <gtest/gtest.h>

#include "discovery/dht/external_address.hpp"

namespace shoal::dht {
namespace {

Address ip(const char* text) {
    return boost::asio::ip::make_address(text);
}

TEST(dht_external_address, OneVotePerVoter) {
    ExternalAddressVotes votes;
    EXPECT_FALSE(votes.leader());
    for (int i = 0; i < 10; ++i)
        votes.add(ip("203.0.113.1"), ip("127.0.0.2"));
    EXPECT_EQ(votes.voters(ip("203.0.113.1")), 1u);
    votes.add(ip("203.0.113.9"), ip("127.0.0.3"));
    votes.add(ip("203.0.113.9"), ip("127.0.0.4"));
    EXPECT_EQ(votes.leader(), ip("203.0.113.9"));
    EXPECT_EQ(votes.voters(ip("203.0.113.9")), 2u);
}

TEST(dht_external_address, ClaimsAreBounded) {
    ExternalAddressVotes votes;
    for (unsigned i = 0; i < 100; ++i)
        votes.add(boost::asio::ip::make_address_v4(0xcb007100u + i), ip("127.0.0.2"));
    EXPECT_LE(votes.voters(*votes.leader()), 1u);
}

}  // namespace
}  // namespace shoal::dht
