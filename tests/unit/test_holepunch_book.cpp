// Hole punching bookkeeping (BEP 55): who introduced a peer, when to ask for a rendezvous
// again, and how many connects we did not ask for are acted on.
#include <gtest/gtest.h>

#include "swarm/holepunch_book.hpp"

namespace shoal {
namespace {

using namespace std::chrono_literals;
using Endpoint = HolepunchBook::Endpoint;

Endpoint at(int n) { return {boost::asio::ip::make_address("198.51.100." + std::to_string(n)), 6881}; }
const HolepunchBook::Clock::time_point t0{std::chrono::hours(5)};

TEST(HolepunchBook, AskTheLatestIntroducerOnceAnInterval) {
    HolepunchBook book;
    EXPECT_FALSE(book.rendezvous_due(at(1), t0)) << "nobody introduced it";
    book.introduced(at(1), at(10));
    book.introduced(at(1), at(11));
    EXPECT_EQ(book.rendezvous_due(at(1), t0), at(11));
    EXPECT_FALSE(book.rendezvous_due(at(1), t0 + 1min)) << "asked already";
    EXPECT_EQ(book.rendezvous_due(at(1), t0 + HolepunchBook::k_rendezvous_interval), at(11));
}

TEST(HolepunchBook, IntroducedPeersAreBounded) {
    HolepunchBook book;
    for (std::size_t i = 0; i < HolepunchBook::k_max_introduced + 10; ++i) {
        book.introduced({boost::asio::ip::make_address("198.51.100.1"), static_cast<std::uint16_t>(1000 + i)}, at(10));
    }
    EXPECT_EQ(book.introduced_count(), HolepunchBook::k_max_introduced);
}

TEST(HolepunchBook, ConnectsWeAskedForAreAlwaysTakenOthersWithinABudget) {
    HolepunchBook book;
    for (std::size_t i = 0; i < HolepunchBook::k_max_unasked_connects; ++i) {
        EXPECT_TRUE(book.accept_connect(at(static_cast<int>(100 + i)), t0));
    }
    EXPECT_FALSE(book.accept_connect(at(99), t0)) << "over the budget";
    book.introduced(at(1), at(10));
    ASSERT_TRUE(book.rendezvous_due(at(1), t0));
    EXPECT_TRUE(book.accept_connect(at(1), t0 + 1s)) << "the answer to our rendezvous";
    EXPECT_FALSE(book.accept_connect(at(1), t0 + HolepunchBook::k_answer_wait + 1s)) << "too late for an answer";
    EXPECT_TRUE(book.accept_connect(at(99), t0 + HolepunchBook::k_unasked_window)) << "the window moved on";
}

}  // namespace
}  // namespace shoal
