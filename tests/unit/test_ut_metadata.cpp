// ut_metadata (BEP 9): message encoding and decoding, limits, serving, and assembling the
// info dictionary from several peers with v1 and v2 hash checks.

#include <gtest/gtest.h>

#include <string>

#include "crypto/hasher.hpp"
#include "wire/metadata_assembler.hpp"
#include "wire/ut_metadata.hpp"

namespace shoal::wire {
namespace {

constexpr std::int64_t k_piece = k_metadata_piece_size;

std::string error_of(std::string_view payload, std::optional<std::int64_t> known = {}) {
    auto m = decode_metadata_message(payload, known);
    return m.ok() ? "(accepted)" : m.error().message;
}

// Deterministic bytes that are not a repetition of one piece.
std::string make_metadata(std::size_t size) {
    std::string s(size, '\0');
    for (std::size_t i = 0; i < size; ++i)
        s[i] = static_cast<char>((i * 131 + i / 7) & 0xff);
    return s;
}

InfoHashV1 v1_of(std::string_view bytes) {
    return *InfoHashV1::from_bytes(sha1(bytes).view());
}
InfoHashV2 v2_of(std::string_view bytes) {
    return *InfoHashV2::from_bytes(sha256(bytes).view());
}

TEST(UtMetadata, BepRequestExampleIsByteExact) {
    EXPECT_EQ(encode_metadata_request(0), "d8:msg_typei0e5:piecei0ee");
    auto m = decode_metadata_message("d8:msg_typei0e5:piecei0ee");
    ASSERT_TRUE(m.ok()) << m.error().message;
    EXPECT_EQ(m->type, MetadataType::request);
    EXPECT_EQ(m->piece, 0u);
}

TEST(UtMetadata, RejectAndDataEncoding) {
    EXPECT_EQ(encode_metadata_reject(3), "d8:msg_typei2e5:piecei3ee");
    EXPECT_EQ(encode_metadata_data(0, 3, "abc"), "d8:msg_typei1e5:piecei0e10:total_sizei3eeabc");
}

TEST(UtMetadata, DataRoundTripViewsTrailingBytes) {
    const std::string meta = make_metadata(k_piece + 100);
    const std::string payload = encode_metadata_data(1, meta.size(), meta.substr(k_piece));
    auto m = decode_metadata_message(payload);
    ASSERT_TRUE(m.ok()) << m.error().message;
    EXPECT_EQ(m->type, MetadataType::data);
    EXPECT_EQ(m->piece, 1u);
    EXPECT_EQ(m->total_size, k_piece + 100);
    EXPECT_EQ(m->data, meta.substr(k_piece));
    EXPECT_EQ(m->data.data(), payload.data() + payload.size() - 100);
}

TEST(UtMetadata, UnknownTypeIsIgnoredNotAnError) {
    auto m = decode_metadata_message("d8:msg_typei7e5:piecei0ee");
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(m->type, MetadataType::unknown);
}

TEST(UtMetadata, PieceCountAndSizes) {
    EXPECT_EQ(metadata_piece_count(0), 0u);
    EXPECT_EQ(metadata_piece_count(1), 1u);
    EXPECT_EQ(metadata_piece_count(k_piece), 1u);
    EXPECT_EQ(metadata_piece_count(k_piece + 1), 2u);
    EXPECT_EQ(metadata_piece_size(k_piece + 1, 0), k_piece);
    EXPECT_EQ(metadata_piece_size(k_piece + 1, 1), 1);
    EXPECT_EQ(metadata_piece_size(k_piece + 1, 2), 0);
}

TEST(UtMetadata, SizeLimits) {
    EXPECT_FALSE(check_metadata_size(0).ok());
    EXPECT_FALSE(check_metadata_size(-5).ok());
    EXPECT_TRUE(check_metadata_size(k_default_max_metadata_size).ok());
    EXPECT_FALSE(check_metadata_size(k_default_max_metadata_size + 1).ok());
    EXPECT_FALSE(check_metadata_size(100, MetadataLimits{.max_total_size = 99}).ok());
}

TEST(UtMetadata, MalformedMessagesAreRefused) {
    EXPECT_NE(error_of(""), "(accepted)");
    EXPECT_NE(error_of("le"), "(accepted)");
    EXPECT_NE(error_of("d5:piecei0ee"), "(accepted)");                        // no msg_type
    EXPECT_NE(error_of("d8:msg_typei0ee"), "(accepted)");                     // no piece
    EXPECT_NE(error_of("d8:msg_type1:05:piecei0ee"), "(accepted)");           // string type
    EXPECT_NE(error_of("d8:msg_typei0e5:piecei-1ee"), "(accepted)");          // negative piece
    EXPECT_NE(error_of("d8:msg_typei0e5:piecei4294967296ee"), "(accepted)");  // too large
    EXPECT_NE(error_of("d8:msg_typei0e5:piecei0eexx"), "(accepted)");         // request with bytes
    EXPECT_NE(error_of("d8:msg_typei1e5:piecei0ee"), "(accepted)");           // data without size
    EXPECT_NE(error_of("d8:msg_typei1e5:piecei0e10:total_sizei0ee"), "(accepted)");
    EXPECT_NE(error_of("d8:msg_typei1e5:piecei0e10:total_sizei16777217ee"), "(accepted)");
    EXPECT_NE(error_of("d8:msg_typei0e8:msg_typei0e5:piecei0ee"), "(accepted)");  // duplicate
}

TEST(UtMetadata, DataSizeMustMatchThePiece) {
    const std::string meta = make_metadata(2 * k_piece + 10);
    const auto size = static_cast<std::int64_t>(meta.size());
    EXPECT_EQ(error_of(encode_metadata_data(0, size, meta.substr(0, k_piece))), "(accepted)");
    EXPECT_EQ(error_of(encode_metadata_data(2, size, meta.substr(2 * k_piece))), "(accepted)");
    EXPECT_NE(error_of(encode_metadata_data(0, size, meta.substr(0, k_piece - 1))), "(accepted)");
    EXPECT_NE(error_of(encode_metadata_data(0, size, meta.substr(0, k_piece + 1))), "(accepted)");
    EXPECT_NE(error_of(encode_metadata_data(2, size, meta.substr(2 * k_piece, 9))), "(accepted)");
    EXPECT_NE(error_of(encode_metadata_data(3, size, "")), "(accepted)");  // no such piece
}

TEST(UtMetadata, KnownSizeBoundsPieceIndexAndTotalSize) {
    EXPECT_EQ(error_of(encode_metadata_request(1), k_piece + 1), "(accepted)");
    EXPECT_NE(error_of(encode_metadata_request(2), k_piece + 1), "(accepted)");
    EXPECT_NE(error_of(encode_metadata_reject(2), k_piece + 1), "(accepted)");
    EXPECT_NE(error_of(encode_metadata_data(0, 5, "abcde"), 6), "(accepted)");
}

TEST(UtMetadata, ServingAnswersDataOrReject) {
    const std::string meta = make_metadata(k_piece + 7);
    EXPECT_EQ(serve_metadata_request(meta, 0),
              encode_metadata_data(0, meta.size(), meta.substr(0, k_piece)));
    EXPECT_EQ(serve_metadata_request(meta, 1),
              encode_metadata_data(1, meta.size(), meta.substr(k_piece)));
    EXPECT_EQ(serve_metadata_request(meta, 2), encode_metadata_reject(2));
    EXPECT_EQ(serve_metadata_request("", 0), encode_metadata_reject(0));
    // What we serve decodes with our own strict decoder (the result views `served`).
    const std::string served = serve_metadata_request(meta, 1);
    auto m = decode_metadata_message(served, meta.size());
    ASSERT_TRUE(m.ok()) << m.error().message;
    EXPECT_EQ(m->data, meta.substr(k_piece));
}

// Feeds the assembler everything `meta` holds, as `peer`, via the messages a peer would send.
Result<MetadataAssembler::Outcome> deliver(MetadataAssembler& a, std::uint64_t peer,
                                           const std::string& served, std::uint32_t piece) {
    const std::string payload = serve_metadata_request(served, piece);
    auto m = decode_metadata_message(payload, a.metadata_size());
    if (!m)
        return m.error();
    return a.on_data(peer, *m);
}

TEST(MetadataAssembler, CreateValidatesSizeAndHashes) {
    const std::string meta = make_metadata(100);
    EXPECT_FALSE(MetadataAssembler::create(100, std::nullopt, std::nullopt).ok());
    EXPECT_FALSE(MetadataAssembler::create(0, v1_of(meta), std::nullopt).ok());
    EXPECT_FALSE(
        MetadataAssembler::create(k_default_max_metadata_size + 1, v1_of(meta), std::nullopt).ok());
    EXPECT_TRUE(MetadataAssembler::create(100, v1_of(meta), std::nullopt).ok());
}

TEST(MetadataAssembler, SeveralPeersEachGetADifferentPiece) {
    const std::string meta = make_metadata(3 * k_piece + 1);
    auto a = MetadataAssembler::create(meta.size(), v1_of(meta), std::nullopt);
    ASSERT_TRUE(a.ok());
    EXPECT_EQ(a->piece_count(), 4u);
    EXPECT_EQ(a->pick_piece(1), 0u);
    EXPECT_EQ(a->pick_piece(2), 1u);
    EXPECT_EQ(a->pick_piece(3), 2u);
    EXPECT_EQ(a->pick_piece(1), 3u);
    EXPECT_EQ(a->pick_piece(4), std::nullopt);
    // A rejecting peer frees its piece for someone else; so does one that leaves.
    a->on_reject(2, 1);
    EXPECT_EQ(a->pick_piece(4), 1u);
    a->release_peer(1);
    EXPECT_EQ(a->pick_piece(5), 0u);
    EXPECT_EQ(a->pick_piece(5), 3u);
}

TEST(MetadataAssembler, CompletesWithV1AndV2Hashes) {
    const std::string meta = make_metadata(2 * k_piece + 5);
    for (int variant = 0; variant < 3; ++variant) {
        auto v1 = variant != 1 ? std::optional(v1_of(meta)) : std::nullopt;
        auto v2 = variant != 0 ? std::optional(v2_of(meta)) : std::nullopt;
        auto a = MetadataAssembler::create(meta.size(), v1, v2);
        ASSERT_TRUE(a.ok());
        ASSERT_EQ(a->pick_piece(7), 0u);
        ASSERT_EQ(a->pick_piece(8), 1u);
        ASSERT_EQ(a->pick_piece(7), 2u);
        auto r = deliver(*a, 8, meta, 1);
        ASSERT_TRUE(r.ok()) << r.error().message;
        EXPECT_EQ(r->status, MetadataAssembler::Status::accepted);
        ASSERT_TRUE(deliver(*a, 7, meta, 2).ok());
        EXPECT_TRUE(a->metadata().empty());
        r = deliver(*a, 7, meta, 0);
        ASSERT_TRUE(r.ok()) << r.error().message;
        EXPECT_EQ(r->status, MetadataAssembler::Status::complete);
        EXPECT_TRUE(a->complete());
        EXPECT_EQ(a->metadata(), meta);
        EXPECT_EQ(a->pick_piece(7), std::nullopt);
    }
}

TEST(MetadataAssembler, RefusesUnaskedDuplicateAndMisfitPieces) {
    const std::string meta = make_metadata(k_piece + 5);
    auto a = MetadataAssembler::create(meta.size(), v1_of(meta), std::nullopt);
    ASSERT_TRUE(a.ok());
    EXPECT_FALSE(deliver(*a, 1, meta, 0).ok());  // never asked
    ASSERT_EQ(a->pick_piece(1), 0u);
    EXPECT_FALSE(deliver(*a, 2, meta, 0).ok());  // asked of someone else
    ASSERT_TRUE(deliver(*a, 1, meta, 0).ok());
    EXPECT_FALSE(deliver(*a, 1, meta, 0).ok());  // duplicate
    // A different total size, a short piece, and a piece past the end.
    MetadataMessage m{MetadataType::data, 1, static_cast<std::int64_t>(meta.size()) + 1,
                      std::string_view(meta).substr(k_piece)};
    ASSERT_EQ(a->pick_piece(1), 1u);
    EXPECT_FALSE(a->on_data(1, m).ok());
    m.total_size = static_cast<std::int64_t>(meta.size());
    m.data = m.data.substr(1);
    EXPECT_FALSE(a->on_data(1, m).ok());
    m.piece = 2;
    EXPECT_FALSE(a->on_data(1, m).ok());
    m.type = MetadataType::reject;
    EXPECT_FALSE(a->on_data(1, m).ok());
    EXPECT_EQ(a->pieces_received(), 1u);
}

TEST(MetadataAssembler, HashMismatchResetsAndNamesContributors) {
    const std::string meta = make_metadata(3 * k_piece);
    std::string forged = meta;
    forged[k_piece + 3] ^= 1;
    for (int variant = 0; variant < 2; ++variant) {
        auto a = variant == 0 ? MetadataAssembler::create(meta.size(), v1_of(meta), std::nullopt)
                              : MetadataAssembler::create(meta.size(), std::nullopt, v2_of(meta));
        ASSERT_TRUE(a.ok());
        ASSERT_EQ(a->pick_piece(30), 0u);
        ASSERT_EQ(a->pick_piece(20), 1u);
        ASSERT_EQ(a->pick_piece(30), 2u);
        ASSERT_TRUE(deliver(*a, 30, meta, 0).ok());
        ASSERT_TRUE(deliver(*a, 20, forged, 1).ok());
        auto r = deliver(*a, 30, meta, 2);
        ASSERT_TRUE(r.ok()) << r.error().message;
        EXPECT_EQ(r->status, MetadataAssembler::Status::hash_mismatch);
        EXPECT_EQ(r->contributors, (std::vector<std::uint64_t>{20, 30}));
        EXPECT_FALSE(a->complete());
        EXPECT_EQ(a->pieces_received(), 0u);
        // Everything can be fetched again, and the honest bytes complete it.
        for (std::uint32_t i = 0; i < 3; ++i) {
            ASSERT_EQ(a->pick_piece(40), i);
        }
        ASSERT_TRUE(deliver(*a, 40, meta, 0).ok());
        ASSERT_TRUE(deliver(*a, 40, meta, 1).ok());
        r = deliver(*a, 40, meta, 2);
        ASSERT_TRUE(r.ok());
        EXPECT_EQ(r->status, MetadataAssembler::Status::complete);
    }
}

TEST(MetadataAssembler, HybridNeedsBothHashesToMatch) {
    const std::string meta = make_metadata(10);
    auto a = MetadataAssembler::create(meta.size(), v1_of(meta), v2_of("other"));
    ASSERT_TRUE(a.ok());
    ASSERT_EQ(a->pick_piece(1), 0u);
    auto r = deliver(*a, 1, meta, 0);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, MetadataAssembler::Status::hash_mismatch);
}

// After a mismatch from several peers nobody is proven a liar, so each later attempt comes
// from one peer alone: a failure then convicts exactly that peer.
TEST(MetadataAssembler, AfterAMixedMismatchEachAttemptHasOneSource) {
    const std::string meta = make_metadata(2 * k_piece);
    std::string forged = meta;
    forged[3] ^= 1;
    auto a = MetadataAssembler::create(meta.size(), v1_of(meta), std::nullopt);
    ASSERT_TRUE(a.ok());
    ASSERT_EQ(a->pick_piece(1), 0u);
    ASSERT_EQ(a->pick_piece(2), 1u);
    ASSERT_TRUE(deliver(*a, 1, forged, 0).ok());
    auto r = deliver(*a, 2, meta, 1);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->status, MetadataAssembler::Status::hash_mismatch);
    EXPECT_FALSE(a->one_source() && r->contributors.size() == 1);
    EXPECT_TRUE(a->one_source());

    // Peer 1 takes the next attempt; peer 2 waits for it.
    ASSERT_EQ(a->pick_piece(1), 0u);
    EXPECT_EQ(a->pick_piece(2), std::nullopt);
    ASSERT_EQ(a->pick_piece(1), 1u);
    ASSERT_TRUE(deliver(*a, 1, forged, 0).ok());
    r = deliver(*a, 1, forged, 1);
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->status, MetadataAssembler::Status::hash_mismatch);
    EXPECT_EQ(r->contributors, (std::vector<std::uint64_t>{1})) << "the liar alone";

    // Peer 2 now fetches it all; a source that leaves halfway hands over a clean slate.
    ASSERT_EQ(a->pick_piece(3), 0u);
    ASSERT_TRUE(deliver(*a, 3, meta, 0).ok());
    a->release_peer(3);
    EXPECT_EQ(a->pieces_received(), 0u);
    ASSERT_EQ(a->pick_piece(2), 0u);
    ASSERT_EQ(a->pick_piece(2), 1u);
    ASSERT_TRUE(deliver(*a, 2, meta, 0).ok());
    r = deliver(*a, 2, meta, 1);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->status, MetadataAssembler::Status::complete);
}

}  // namespace
}  // namespace shoal::wire
