// Bitfields and the piece picker: wire form, rarest first, partial pieces first, priorities,
// endgame, memory cap, failed pieces.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "swarm/bitfield.hpp"
#include "swarm/piece_picker.hpp"

using namespace shoal;
using wire::BlockRequest;

namespace {

constexpr std::int64_t k_piece = 64 * 1024;  // four blocks

auto never_asked = [](const BlockRequest&) { return false; };

Bitfield pieces(std::size_t n, std::initializer_list<std::size_t> set) {
    Bitfield b(n);
    for (auto i : set) b.set(i);
    return b;
}

}  // namespace

TEST(Bitfield, WireFormIsHighBitFirst) {
    const Bitfield b = pieces(10, {0, 7, 9});
    EXPECT_EQ(b.to_bytes(), std::string("\x81\x40", 2));
    auto back = Bitfield::from_bytes(b.to_bytes(), 10);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->count(), 3u);
    EXPECT_TRUE(back->test(9));
    EXPECT_FALSE(Bitfield::from_bytes(std::string("\x81\x40\x00", 3), 10)) << "wrong length";
    EXPECT_FALSE(Bitfield::from_bytes(std::string("\x81\x41", 2), 10)) << "spare bit set";
}

TEST(PiecePicker, RarestPieceFirstOnceSomePiecesAreIn) {
    PiecePicker picker(8, k_piece, 8 * k_piece);
    for (std::size_t i = 0; i < PiecePicker::k_random_first_pieces; ++i) picker.set_have(i);
    picker.add_peer_pieces(pieces(8, {4, 5, 6, 7}));
    picker.add_peer_pieces(pieces(8, {4, 5, 7}));
    picker.add_peer_pieces(pieces(8, {4, 7}));
    // Piece 6 is held by one peer only.
    const auto blocks = picker.pick(pieces(8, {4, 5, 6, 7}), 4, never_asked);
    ASSERT_EQ(blocks.size(), 4u);
    for (const auto& b : blocks) EXPECT_EQ(b.piece, 6u);
}

TEST(PiecePicker, FinishesStartedPiecesBeforeStartingNew) {
    PiecePicker picker(4, k_piece, 4 * k_piece);
    const Bitfield all(4, true);
    auto first = picker.pick(all, 2, never_asked);
    ASSERT_EQ(first.size(), 2u);
    auto next = picker.pick(all, 2, never_asked);
    ASSERT_EQ(next.size(), 2u);
    EXPECT_EQ(next[0].piece, first[0].piece) << "the rest of the started piece comes first";
    EXPECT_EQ(next[1].piece, first[0].piece);
}

TEST(PiecePicker, BlocksCompleteAPieceOnce) {
    PiecePicker picker(2, k_piece, k_piece + 100);
    const Bitfield all(2, true);
    auto blocks = picker.pick(all, 10, never_asked);
    ASSERT_EQ(blocks.size(), 5u);  // four blocks, then a last piece of 100 bytes in one block
    std::set<std::uint32_t> done;
    bool piece_done = false;
    for (const auto& b : blocks) {
        ASSERT_TRUE(picker.block_received(b, piece_done));
        if (piece_done) done.insert(b.piece);
    }
    EXPECT_EQ(done.size(), 2u);
    EXPECT_FALSE(picker.block_received(blocks[0], piece_done)) << "a duplicate is not wanted";
    EXPECT_FALSE(picker.block_received({0, 5, 16384}, piece_done)) << "unaligned";
    const auto last = std::find_if(blocks.begin(), blocks.end(), [](auto& b) { return b.piece == 1; });
    EXPECT_EQ(last->length, 100u);
}

TEST(PiecePicker, SkippedPiecesAreNeverPickedAndPrioritiesOrder) {
    PiecePicker picker(6, k_piece, 6 * k_piece);
    for (std::size_t i = 0; i < PiecePicker::k_random_first_pieces; ++i) picker.set_have(i);
    picker.set_priority(4, 0);
    picker.set_priority(5, 7);
    const Bitfield all(6, true);
    auto blocks = picker.pick(all, 4, never_asked);
    ASSERT_FALSE(blocks.empty());
    EXPECT_EQ(blocks[0].piece, 5u);
    blocks = picker.pick(all, 100, never_asked);
    for (const auto& b : blocks) EXPECT_NE(b.piece, 4u);
    EXPECT_FALSE(picker.wanted(4));
}

TEST(PiecePicker, EndgameAsksAnotherPeerForOutstandingBlocks) {
    PiecePicker picker(1, k_piece, k_piece);
    const Bitfield all(1, true);
    auto first = picker.pick(all, 10, never_asked);
    ASSERT_EQ(first.size(), 4u);
    EXPECT_FALSE(picker.in_endgame());
    auto second = picker.pick(all, 10, never_asked);
    EXPECT_TRUE(picker.in_endgame());
    EXPECT_EQ(second.size(), 4u) << "the same blocks, from another peer";
    auto third = picker.pick(all, 10, [](const BlockRequest&) { return true; });
    EXPECT_TRUE(third.empty()) << "not twice from the same peer";
}

TEST(PiecePicker, MemoryCapLimitsPiecesInProgress) {
    PiecePicker picker(10, k_piece, 10 * k_piece);
    picker.set_max_partial(2);
    picker.add_peer_pieces(Bitfield(10, true));
    const auto blocks = picker.pick(Bitfield(10, true), 100, never_asked);
    std::set<std::uint32_t> started;
    for (const auto& b : blocks) started.insert(b.piece);
    EXPECT_EQ(started.size(), 2u);
}

TEST(PiecePicker, FailedPieceIsPickedAgain) {
    PiecePicker picker(1, k_piece, k_piece);
    const Bitfield all(1, true);
    bool piece_done = false;
    for (const auto& b : picker.pick(all, 10, never_asked)) picker.block_received(b, piece_done);
    ASSERT_TRUE(piece_done);
    picker.piece_failed(0);
    EXPECT_FALSE(picker.have(0));
    EXPECT_EQ(picker.pick(all, 10, never_asked).size(), 4u);
}

TEST(PiecePicker, AbortedRequestsGoBackToThePool) {
    PiecePicker picker(1, k_piece, k_piece);
    const Bitfield all(1, true);
    auto blocks = picker.pick(all, 2, never_asked);
    ASSERT_EQ(blocks.size(), 2u);
    picker.abort_request(blocks[0]);
    auto again = picker.pick(all, 10, never_asked);
    EXPECT_EQ(again.size(), 3u);  // the aborted block and the two never asked for
}

TEST(PiecePicker, FinishedWhenEveryWantedPieceIsIn) {
    PiecePicker picker(3, k_piece, 3 * k_piece);
    picker.set_priority(2, 0);
    picker.piece_passed(0);
    EXPECT_FALSE(picker.finished());
    picker.piece_passed(1);
    EXPECT_TRUE(picker.finished());
}

TEST(PiecePicker, DiscardedBlockIsAskedForAgain) {
    PiecePicker picker(1, k_piece, k_piece);
    const Bitfield all(1, true);
    bool piece_done = false;
    auto blocks = picker.pick(all, 10, never_asked);
    ASSERT_EQ(blocks.size(), 4u);
    picker.block_received(blocks[0], piece_done);
    picker.block_received(blocks[1], piece_done);
    picker.discard_block(0, 1);
    auto again = picker.pick(all, 10, never_asked);
    ASSERT_EQ(again.size(), 1u);
    EXPECT_EQ(again[0].begin, blocks[1].begin);
    picker.block_received(again[0], piece_done);
    picker.block_received(blocks[2], piece_done);
    EXPECT_FALSE(piece_done);
    picker.block_received(blocks[3], piece_done);
    EXPECT_TRUE(piece_done);
}

// A peer that had the only copy of some pieces left after sending part of them: those
// partial pieces must not keep the pieces another peer has from starting.
TEST(PiecePicker, StrandedPartialPiecesDoNotBlockOthers) {
    PiecePicker picker(4, k_piece, 4 * k_piece);
    picker.set_max_partial(2);
    const Bitfield first = pieces(4, {0, 1});
    picker.add_peer_pieces(first);
    bool piece_done = false;
    auto blocks = picker.pick(first, 100, never_asked);
    ASSERT_EQ(blocks.size(), 8u);  // both pieces started
    picker.block_received(blocks[0], piece_done);
    for (const auto& b : blocks) picker.abort_request(b);
    picker.remove_peer_pieces(first);  // it left

    const Bitfield second = pieces(4, {2, 3});
    picker.add_peer_pieces(second);
    EXPECT_EQ(picker.pick(second, 100, never_asked).size(), 8u);
}

TEST(PiecePicker, StrandedPiecesBeyondTheBudgetAreGivenUp) {
    PiecePicker picker(4, k_piece, 4 * k_piece);
    const Bitfield all(4, true);
    picker.add_peer_pieces(all);
    bool piece_done = false;
    auto blocks = picker.pick(all, 100, never_asked);
    ASSERT_EQ(blocks.size(), 16u);
    // Piece 0 gets three blocks, the others one each; then the peer leaves.
    for (const auto& b : blocks) {
        if (b.begin == 0 || (b.piece == 0 && b.begin < 3 * wire::k_block_size)) {
            picker.block_received(b, piece_done);
            ASSERT_FALSE(piece_done);
        }
    }
    for (const auto& b : blocks) picker.abort_request(b);
    EXPECT_TRUE(picker.abandon_stranded(1).empty()) << "still has a peer";
    picker.remove_peer_pieces(all);
    auto given_up = picker.abandon_stranded(1);
    std::sort(given_up.begin(), given_up.end());
    EXPECT_EQ(given_up, (std::vector<std::size_t>{1, 2, 3})) << "the most advanced piece is kept";
    picker.add_peer_pieces(all);
    std::set<std::uint32_t> open;
    for (const auto& b : picker.pick(all, 100, never_asked)) open.insert(b.piece);
    EXPECT_EQ(open.size(), 4u) << "given-up pieces start afresh";
}

// The wanted and had byte counts the picker keeps agree, after any mix of priority changes
// and pieces had, with counting them piece by piece.
TEST(PiecePicker, KeptByteCountsAgreeWithCountingEveryPiece) {
    const std::int64_t total = 10 * k_piece + 1234;  // a short last piece
    PiecePicker picker(11, k_piece, total);
    std::vector<int> priority(11, 4);
    std::vector<bool> had(11, false);
    std::uint32_t state = 12345;
    auto next = [&] { return state = state * 1664525u + 1013904223u; };
    for (int step = 0; step < 2000; ++step) {
        const std::size_t piece = next() % 11;
        if (next() % 4 == 0) {
            picker.set_have(piece);
            had[piece] = true;
        } else {
            const int p = static_cast<int>(next() % 3) * 3;  // 0, 3 or 6
            picker.set_priority(piece, p);
            priority[piece] = p;
        }
        std::int64_t wanted = 0;
        std::int64_t done = 0;
        for (std::size_t i = 0; i < 11; ++i) {
            const std::int64_t size = i == 10 ? 1234 : k_piece;
            if (priority[i] != 0 || had[i]) wanted += size;
            if (had[i]) done += size;
        }
        ASSERT_EQ(picker.wanted_bytes(), wanted) << "after step " << step;
        ASSERT_EQ(picker.had_bytes(), done) << "after step " << step;
    }
}
