// Fetching missing piece layers from peers: a few requests open per peer, chunks handed to
// another peer when one refuses or leaves, and answers that unblock the file's pieces.
#include <gtest/gtest.h>

#include "creation/create_torrent.hpp"
#include "swarm/piece_layer_fetcher.hpp"
#include "layered_torrents.hpp"

using namespace shoal;

namespace {

using Torrents = test::LayeredTorrents;
using test::bytes_of;

struct Sent {
    PieceLayerFetcher::Peer peer;
    wire::HashRequest request;
};

const PieceLayerFetcher::Clock::time_point t0{std::chrono::hours(5)};

// 701 pieces in the big file: two chunks of 512 hashes.
constexpr std::int64_t k_two_chunks = 700 * 16384 + 5;

}  // namespace

TEST(PieceLayerFetcher, BlocksTheFilesPiecesUntilTheLayerIsProven) {
    Torrents t(k_two_chunks);
    PieceLayerFetcher fetcher(t.bare, true);
    PieceLayers server(t.full);
    const auto waiting = fetcher.pieces_without_hashes();
    ASSERT_EQ(waiting.size(), 701u);
    EXPECT_FALSE(fetcher.complete());
    EXPECT_FALSE(fetcher.fetched_piece_hash(waiting[3]).has_value());

    int peer = 0;
    std::vector<Sent> sent;
    fetcher.peer_ready(&peer);
    fetcher.request(t0, [&](auto p, const auto& r) { sent.push_back({p, r}); });
    ASSERT_EQ(sent.size(), 2u);  // both chunks, the most one peer is asked at once
    auto first = fetcher.on_hashes(&peer, {sent[0].request, bytes_of(*server.answer(sent[0].request))});
    ASSERT_TRUE(first);
    EXPECT_TRUE(first->empty());
    auto second = fetcher.on_hashes(&peer, {sent[1].request, bytes_of(*server.answer(sent[1].request))});
    ASSERT_TRUE(second);
    EXPECT_EQ(*second, waiting);
    EXPECT_TRUE(fetcher.complete());
    EXPECT_TRUE(fetcher.pieces_without_hashes().empty());
    EXPECT_EQ(fetcher.fetched_piece_hash(waiting[3]), t.full.files[t.big()].piece_layer[3]);
}

TEST(PieceLayerFetcher, RefusesHashesThatDoNotProveOut) {
    Torrents t(k_two_chunks);
    PieceLayerFetcher fetcher(t.bare, true);
    int peer = 0;
    std::vector<Sent> sent;
    fetcher.peer_ready(&peer);
    fetcher.request(t0, [&](auto p, const auto& r) { sent.push_back({p, r}); });
    ASSERT_FALSE(sent.empty());
    const std::string junk((512 + 1) * Sha256Hash::size, 'x');
    EXPECT_FALSE(fetcher.on_hashes(&peer, {sent[0].request, junk}));
    EXPECT_FALSE(fetcher.complete());
}

TEST(PieceLayerFetcher, ARefusalSendsTheChunkToAnotherPeerAndIsNotAskedAgain) {
    Torrents t(k_two_chunks);
    PieceLayerFetcher fetcher(t.bare, true);
    int a = 0, b = 0;
    std::vector<Sent> sent;
    const auto send = [&](auto p, const auto& r) { sent.push_back({p, r}); };
    fetcher.peer_ready(&a);
    fetcher.request(t0, send);
    ASSERT_EQ(sent.size(), 2u);
    fetcher.peer_ready(&b);
    fetcher.request(t0, send);
    EXPECT_EQ(sent.size(), 2u);  // nothing left to ask b
    fetcher.on_reject(&a, sent[0].request);
    fetcher.request(t0, send);
    ASSERT_EQ(sent.size(), 3u);
    EXPECT_EQ(sent[2].peer, &b);
    EXPECT_EQ(sent[2].request.index, sent[0].request.index);
    // The other chunk, once a gives it up by leaving, goes to b as well; a is never asked.
    fetcher.peer_gone(&a);
    fetcher.request(t0, send);
    ASSERT_EQ(sent.size(), 4u);
    EXPECT_EQ(sent[3].peer, &b);
}

TEST(PieceLayerFetcher, AHybridFetchesNothing) {
    Torrents t(k_two_chunks);
    PieceLayerFetcher fetcher(t.bare, false);
    EXPECT_TRUE(fetcher.complete());
    EXPECT_TRUE(fetcher.pieces_without_hashes().empty());
    int peer = 0;
    int sent = 0;
    fetcher.peer_ready(&peer);
    fetcher.request(t0, [&](auto, const auto&) { ++sent; });
    EXPECT_EQ(sent, 0);
}

TEST(PieceLayerFetcher, AnswersFromTheLayersItHas) {
    Torrents t(k_two_chunks);
    PieceLayerFetcher seeder(t.full, true);
    PieceLayerFetcher leech(t.bare, true);
    int peer = 0;
    std::vector<Sent> sent;
    leech.peer_ready(&peer);
    leech.request(t0, [&](auto p, const auto& r) { sent.push_back({p, r}); });
    ASSERT_FALSE(sent.empty());
    EXPECT_TRUE(seeder.answer(sent[0].request).has_value());
    EXPECT_FALSE(leech.answer(sent[0].request).has_value());
}

TEST(PieceLayerFetcher, AnUnansweredRequestTimesOutAndItsChunkGoesToAnotherPeer) {
    using namespace std::chrono_literals;
    Torrents t(k_two_chunks);
    PieceLayerFetcher fetcher(t.bare, true);
    PieceLayers server(t.full);
    int silent = 0, helpful = 0;
    std::vector<Sent> sent;
    const auto send = [&](auto p, const auto& r) { sent.push_back({p, r}); };
    fetcher.peer_ready(&silent);
    fetcher.request(t0, send);
    ASSERT_EQ(sent.size(), 2u);
    fetcher.peer_ready(&helpful);
    fetcher.request(t0 + PieceLayerFetcher::k_request_timeout - 1s, send);
    EXPECT_EQ(sent.size(), 2u);  // not yet
    fetcher.request(t0 + PieceLayerFetcher::k_request_timeout, send);
    ASSERT_EQ(sent.size(), 4u);
    EXPECT_EQ(sent[2].peer, &helpful);
    EXPECT_EQ(sent[3].peer, &helpful);
    // The silent peer is not asked again, even with nothing open.
    fetcher.peer_gone(&helpful);
    fetcher.request(t0 + PieceLayerFetcher::k_request_timeout + 1s, send);
    EXPECT_EQ(sent.size(), 4u);
    fetcher.peer_ready(&helpful);
    fetcher.request(t0 + PieceLayerFetcher::k_request_timeout + 2s, send);
    ASSERT_EQ(sent.size(), 6u);
    EXPECT_EQ(sent[4].peer, &helpful);

    // Its answer, coming late, is ignored rather than held against it.
    auto late = fetcher.on_hashes(&silent, {sent[0].request, bytes_of(*server.answer(sent[0].request))});
    ASSERT_TRUE(late) << late.error().message;
    EXPECT_TRUE(late->empty());
    for (std::size_t i = 4; i < 6; ++i) {
        auto answered = fetcher.on_hashes(&helpful, {sent[i].request, bytes_of(*server.answer(sent[i].request))});
        ASSERT_TRUE(answered) << answered.error().message;
    }
    EXPECT_TRUE(fetcher.complete());
}

TEST(PieceLayerFetcher, AnsweredRequestsDoNotTimeOut) {
    using namespace std::chrono_literals;
    Torrents t(k_two_chunks);
    PieceLayerFetcher fetcher(t.bare, true);
    PieceLayers server(t.full);
    int a = 0, b = 0;
    std::vector<Sent> sent;
    const auto send = [&](auto p, const auto& r) { sent.push_back({p, r}); };
    fetcher.peer_ready(&a);
    fetcher.request(t0, send);
    ASSERT_EQ(sent.size(), 2u);
    ASSERT_TRUE(fetcher.on_hashes(&a, {sent[0].request, bytes_of(*server.answer(sent[0].request))}));
    fetcher.peer_ready(&b);
    fetcher.request(t0 + 1h, send);
    // Only the unanswered chunk moves to b.
    ASSERT_EQ(sent.size(), 3u);
    EXPECT_EQ(sent[2].peer, &b);
    EXPECT_EQ(sent[2].request.index, sent[1].request.index);
}
