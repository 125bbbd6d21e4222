// Blame for pieces that fail their hash check: one sender is convicted at once; in a mixed
// piece the sender whose block differs from the verified piece is found once it passes.
#include <gtest/gtest.h>

#include "crypto/hasher.hpp"
#include "swarm/hash_failure_blame.hpp"

using namespace shoal;
using Address = HashFailureBlame::Address;

namespace {

const Address honest = boost::asio::ip::make_address("192.0.2.1");
const Address liar = boost::asio::ip::make_address("192.0.2.66");
const Address other = boost::asio::ip::make_address("2001:db8::7");

Sha1Hash block(int n) { return sha1("block " + std::to_string(n)); }

}  // namespace

TEST(HashFailureBlame, OneSenderIsTheCulprit) {
    EXPECT_EQ(HashFailureBlame::sole_sender({liar, liar, liar}), liar);
    EXPECT_FALSE(HashFailureBlame::sole_sender({liar, honest, liar}));
    EXPECT_FALSE(HashFailureBlame::sole_sender({}));
}

TEST(HashFailureBlame, MixedFailureConvictsOnlyTheSenderOfADifferentBlock) {
    HashFailureBlame blame;
    EXPECT_FALSE(blame.wants_block_hashes(7));
    blame.piece_failed(7, {{honest, block(0)}, {liar, sha1("junk")}, {honest, block(2)}});
    EXPECT_TRUE(blame.wants_block_hashes(7));
    EXPECT_FALSE(blame.wants_block_hashes(8));
    const auto liars = blame.piece_passed(7, {block(0), block(1), block(2)});
    ASSERT_EQ(liars.size(), 1u);
    EXPECT_EQ(liars[0], liar);
    EXPECT_FALSE(blame.wants_block_hashes(7)) << "settled pieces are forgotten";
}

TEST(HashFailureBlame, EveryFailureOfAPieceIsJudged) {
    HashFailureBlame blame;
    blame.piece_failed(3, {{honest, block(0)}, {liar, sha1("junk")}});
    blame.piece_failed(3, {{other, sha1("more junk")}, {honest, block(1)}});
    auto liars = blame.piece_passed(3, {block(0), block(1)});
    std::sort(liars.begin(), liars.end());
    EXPECT_EQ(liars, (std::vector<Address>{liar, other}));
}

TEST(HashFailureBlame, HonestSendersOfAnUnluckyPieceAreCleared) {
    HashFailureBlame blame;
    // Failed because of a disk or memory fault, not a peer: nobody differs.
    blame.piece_failed(1, {{honest, block(0)}, {other, block(1)}});
    EXPECT_TRUE(blame.piece_passed(1, {block(0), block(1)}).empty());
}

TEST(HashFailureBlame, MemoryIsBounded) {
    HashFailureBlame blame;
    for (std::size_t piece = 0; piece < 3 * HashFailureBlame::k_max_pieces; ++piece) {
        for (std::size_t i = 0; i < 2 * HashFailureBlame::k_max_failures_per_piece; ++i) {
            blame.piece_failed(piece, {{liar, sha1("junk")}, {honest, block(1)}});
        }
    }
    EXPECT_EQ(blame.remembered(), HashFailureBlame::k_max_pieces);
    EXPECT_FALSE(blame.wants_block_hashes(0)) << "the oldest are forgotten first";
    EXPECT_TRUE(blame.wants_block_hashes(3 * HashFailureBlame::k_max_pieces - 1));
}
