// BEP 52 hash requests: a peer missing a file's piece layer fetches it chunk by chunk from
// one that has it, and only hashes proven against the file's root are accepted.
#include <gtest/gtest.h>

#include "creation/create_torrent.hpp"
#include "swarm/piece_layers.hpp"
#include "layered_torrents.hpp"

using namespace shoal;

namespace {

using Torrents = test::LayeredTorrents;
using test::bytes_of;

// Asks `server` for everything `client` misses, as one peer; returns how many requests it took.
int fetch_all(PieceLayers& client, PieceLayers& server) {
    int requests = 0;
    const int peer = 0;
    while (auto request = client.next_request(&peer)) {
        ++requests;
        auto answer = server.answer(*request);
        EXPECT_TRUE(answer.has_value());
        if (!answer) return requests;
        const std::string bytes = bytes_of(*answer);
        auto accepted = client.on_hashes(&peer, wire::Hashes{*request, bytes});
        EXPECT_TRUE(accepted) << accepted.error().message;
    }
    return requests;
}

}  // namespace

TEST(PieceLayers, FetchesALayerInSeveralProvenChunks) {
    Torrents t(700 * 16384 + 5);  // 701 pieces: two chunks of 512
    PieceLayers server(t.full);
    PieceLayers client(t.bare);
    ASSERT_TRUE(client.missing(t.big()));
    EXPECT_EQ(fetch_all(client, server), 2);
    EXPECT_TRUE(client.complete());
    EXPECT_EQ(client.layer(t.big()), t.full.files[t.big()].piece_layer);
}

TEST(PieceLayers, ASmallLayerComesInOneRequestWithoutProof) {
    Torrents t(40 * 16384 + 100);
    PieceLayers server(t.full);
    PieceLayers client(t.bare);
    const int peer = 0;
    auto request = client.next_request(&peer);
    ASSERT_TRUE(request);
    EXPECT_EQ(request->length, 64u);
    auto answer = server.answer(*request);
    ASSERT_TRUE(answer);
    EXPECT_EQ(answer->size(), 64u);  // the whole padded layer: nothing above needs proving
    ASSERT_TRUE(client.on_hashes(&peer, wire::Hashes{*request, bytes_of(*answer)}));
    EXPECT_EQ(client.layer(t.big()), t.full.files[t.big()].piece_layer);
}

TEST(PieceLayers, RefusesHashesThatDoNotProveOrWereNotAsked) {
    Torrents t(700 * 16384 + 5);
    PieceLayers server(t.full);
    PieceLayers client(t.bare);
    const int peer = 0;
    const int other = 0;
    auto request = client.next_request(&peer);
    ASSERT_TRUE(request);
    std::string bytes = bytes_of(*server.answer(*request));

    auto unasked = client.on_hashes(&other, wire::Hashes{*request, bytes});
    ASSERT_FALSE(unasked);
    EXPECT_EQ(unasked.error().message, "hashes that were not asked for");

    std::string forged = bytes;
    forged[forged.size() - 1] ^= 1;  // the uncle nearest the root
    auto refused = client.on_hashes(&peer, wire::Hashes{*request, forged});
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().message, "hashes that do not lead to the file's root");
    EXPECT_TRUE(client.missing(t.big()));

    // The refused chunk is free again; the honest answer completes it.
    auto again = client.next_request(&other);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->index, request->index);
    EXPECT_FALSE(client.on_hashes(&other, wire::Hashes{*again, bytes.substr(32)}));
    client.on_reject(&other, *again);
    auto third = client.next_request(&other);
    ASSERT_TRUE(third);
    ASSERT_TRUE(client.on_hashes(&other, wire::Hashes{*third, bytes_of(*server.answer(*third))}));
}

TEST(PieceLayers, PeerGoneFreesItsChunks) {
    Torrents t(700 * 16384 + 5);
    PieceLayers client(t.bare);
    const int a = 0;
    const int b = 0;
    ASSERT_TRUE(client.next_request(&a));
    ASSERT_TRUE(client.next_request(&a));
    EXPECT_FALSE(client.next_request(&b));
    client.peer_gone(&a);
    EXPECT_TRUE(client.next_request(&b));
}

TEST(PieceLayers, AnswersOnlyWellFormedRequestsForKnownLayers) {
    Torrents t(700 * 16384 + 5);
    PieceLayers server(t.full);
    wire::HashRequest r{};
    r.pieces_root = *t.full.files[t.big()].pieces_root;
    r.base_layer = 0;
    r.index = 0;
    r.length = 512;
    r.proof_layers = 10;
    ASSERT_TRUE(server.answer(r));
    EXPECT_EQ(server.answer(r)->size(), 512u + 1);  // one uncle: the other half of the layer

    auto bad = r;
    bad.length = 3;
    EXPECT_FALSE(server.answer(bad));
    bad.length = 1;
    EXPECT_FALSE(server.answer(bad));
    bad = r;
    bad.index = 256;
    EXPECT_FALSE(server.answer(bad));  // not a multiple of the length
    bad = r;
    bad.index = 1024;
    EXPECT_FALSE(server.answer(bad));
    bad = r;
    bad.base_layer = 1;
    EXPECT_FALSE(server.answer(bad));  // only the piece layer is kept
    bad = r;
    bad.pieces_root.bytes[0] ^= 1;
    EXPECT_FALSE(server.answer(bad));

    PieceLayers bare(t.bare);
    EXPECT_FALSE(bare.answer(r));  // a layer we do not have yet
}
