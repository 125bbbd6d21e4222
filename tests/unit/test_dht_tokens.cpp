// announce_peer tokens: bound to the requester's IP, valid for the current and the previous
// secret only.

#include <gtest/gtest.h>

#include "discovery/dht/tokens.hpp"

namespace shoal::dht {
namespace {

const Address k_alice = boost::asio::ip::make_address("127.0.0.2");
const Address k_bob = boost::asio::ip::make_address("127.0.0.3");

TEST(dht_tokens, AcceptedForTheSameIpOnly) {
    const TimePoint start{};
    TokenIssuer issuer(start, 42);
    const auto token = issuer.issue(k_alice, start);
    EXPECT_EQ(token.size(), TokenIssuer::k_token_size);
    EXPECT_TRUE(issuer.check(token, k_alice, start));
    EXPECT_FALSE(issuer.check(token, k_bob, start));
    EXPECT_FALSE(issuer.check("", k_alice, start));
    EXPECT_FALSE(issuer.check(token + "x", k_alice, start));
}

TEST(dht_tokens, PreviousSecretAcceptedOlderRejected) {
    const TimePoint start{};
    TokenIssuer issuer(start, 42);
    const auto token = issuer.issue(k_alice, start);
    // After one rotation the token is from the previous secret: still good.
    const auto later = start + TokenIssuer::k_rotation + std::chrono::seconds(1);
    EXPECT_TRUE(issuer.check(token, k_alice, later));
    EXPECT_NE(issuer.issue(k_alice, later), token);
    // After a second rotation it is two secrets old.
    const auto much_later = start + 2 * TokenIssuer::k_rotation + std::chrono::seconds(1);
    EXPECT_FALSE(issuer.check(token, k_alice, much_later));
}

TEST(dht_tokens, LongIdleForgetsEverything) {
    const TimePoint start{};
    TokenIssuer issuer(start, 42);
    const auto token = issuer.issue(k_alice, start);
    const auto next_day = start + std::chrono::hours(24);
    EXPECT_FALSE(issuer.check(token, k_alice, next_day));
    const auto fresh = issuer.issue(k_alice, next_day);
    EXPECT_TRUE(issuer.check(fresh, k_alice, next_day + std::chrono::minutes(4)));
}

TEST(dht_tokens, DifferentIssuersDisagree) {
    const TimePoint start{};
    TokenIssuer a(start, 1);
    TokenIssuer b(start, 2);
    EXPECT_FALSE(b.check(a.issue(k_alice, start), k_alice, start));
}

}  // namespace
}  // namespace shoal::dht
