// Finished pieces: buffered blocks hashed and written by an injected disk step, and who is
// banned for bad data. No disk pool: the tests run the disk step inline or when they choose.
#include <gtest/gtest.h>

#include <deque>

#include "creation/create_torrent.hpp"
#include "swarm/piece_writer.hpp"
#include "test_files.hpp"

using namespace shoal;

namespace {

using Address = PieceWriter::Address;
using Kind = PieceWriter::Outcome::Kind;

constexpr std::int64_t k_piece = 2 * wire::k_block_size;  // two blocks a piece

struct Fixture {
    std::size_t max_piece_in_memory;
    test::TempDir source;
    test::TempDir target;
    std::shared_ptr<const TorrentInfo> info;
    std::shared_ptr<TorrentStorage> storage;
    std::string content;
    std::deque<std::function<void()>> disk;  // jobs not yet run, when not inline
    bool inline_disk = true;
    std::vector<std::pair<std::size_t, PieceWriter::Outcome>> outcomes;
    PieceWriter writer{[this](PieceWriter::DiskWork work, PieceWriter::DiskDone done) {
                           auto job = [work, done] { done(work()); };
                           if (inline_disk) job(); else disk.push_back(job);
                       },
                       [this](std::size_t piece, const PieceWriter::Outcome& o) { outcomes.emplace_back(piece, o); },
                       max_piece_in_memory};

    explicit Fixture(TorrentFormat format = TorrentFormat::v1, std::size_t max_in_memory = SIZE_MAX)
        : max_piece_in_memory(max_in_memory) {
        test::write_file(source.path() / "data.bin", static_cast<std::size_t>(3 * k_piece), 5);
        content = test::read_file(source.path() / "data.bin");
        CreateOptions options;
        options.format = format;
        options.piece_length = k_piece;
        info = std::make_shared<const TorrentInfo>(create_torrent(source.path() / "data.bin", options).value().info);
        storage = std::make_shared<TorrentStorage>(target.path(), *info);
    }
    // Sends block `b` of `piece` from `sender`, its bytes spoiled when `bad`.
    void send(std::size_t piece, std::size_t b, const std::string& sender, bool bad = false) {
        const auto offset = piece * static_cast<std::size_t>(k_piece) + b * wire::k_block_size;
        std::string bytes = content.substr(offset, wire::k_block_size);
        if (bad) bytes[7] ^= 0x55;
        const wire::BlockRequest block{static_cast<std::uint32_t>(piece),
                                       static_cast<std::uint32_t>(b * wire::k_block_size),
                                       static_cast<std::uint32_t>(bytes.size())};
        writer.store_block(block, bytes, boost::asio::ip::make_address(sender), {k_piece, 2, static_cast<std::int64_t>(piece) * k_piece, storage});
    }
    void complete(std::size_t piece) { writer.piece_complete(piece, info, storage, std::nullopt); }
    std::string on_disk(std::size_t piece) {
        std::string out(static_cast<std::size_t>(k_piece), '\0');
        storage->read(static_cast<std::int64_t>(piece) * k_piece, out);
        return out;
    }
    std::vector<std::string> banned() const {
        std::vector<std::string> out;
        for (const auto& [piece, o] : outcomes) {
            for (const auto& [address, reason] : o.bans) out.push_back(address.to_string());
        }
        return out;
    }
};

}  // namespace

TEST(PieceWriter, AGoodPieceIsWrittenAndPasses) {
    Fixture f;
    f.send(1, 0, "10.0.0.1");
    f.send(1, 1, "10.0.0.2");
    EXPECT_EQ(f.writer.buffered_pieces(), 1u);
    f.complete(1);
    ASSERT_EQ(f.outcomes.size(), 1u);
    EXPECT_EQ(f.outcomes[0].first, 1u);
    EXPECT_EQ(f.outcomes[0].second.kind, Kind::passed);
    EXPECT_TRUE(f.outcomes[0].second.bans.empty());
    EXPECT_EQ(f.writer.buffered_pieces(), 0u);
    EXPECT_EQ(f.on_disk(1), f.content.substr(static_cast<std::size_t>(k_piece), static_cast<std::size_t>(k_piece)));
}

TEST(PieceWriter, CountsPiecesBeingWrittenUntilTheVerdictIsBack) {
    Fixture f;
    f.inline_disk = false;
    f.send(0, 0, "10.0.0.1");
    f.send(0, 1, "10.0.0.1");
    f.complete(0);
    EXPECT_EQ(f.writer.writing(), 1);
    EXPECT_TRUE(f.outcomes.empty());
    ASSERT_EQ(f.disk.size(), 1u);
    f.disk.front()();
    EXPECT_EQ(f.writer.writing(), 0);
    ASSERT_EQ(f.outcomes.size(), 1u);
    EXPECT_EQ(f.outcomes[0].second.kind, Kind::passed);
}

TEST(PieceWriter, ABadPieceFromOnePeerBansItAndIsNotWritten) {
    Fixture f;
    f.send(2, 0, "10.0.0.9", true);
    f.send(2, 1, "10.0.0.9");
    f.complete(2);
    ASSERT_EQ(f.outcomes.size(), 1u);
    EXPECT_EQ(f.outcomes[0].second.kind, Kind::failed);
    EXPECT_EQ(f.banned(), std::vector<std::string>{"10.0.0.9"});
    EXPECT_NE(f.on_disk(2), f.content.substr(2 * static_cast<std::size_t>(k_piece)));
}

// A piece with one bad block among two senders convicts nobody when it fails; once it passes
// with that block from someone else, the first sender of the bad block is banned.
static void mixed_bad_piece_convicts_the_liar(Fixture& f) {
    f.send(0, 0, "10.0.0.1");
    f.send(0, 1, "10.0.0.2", true);
    f.complete(0);
    ASSERT_EQ(f.outcomes.size(), 1u);
    EXPECT_EQ(f.outcomes[0].second.kind, Kind::failed);
    EXPECT_TRUE(f.banned().empty());
    f.send(0, 0, "10.0.0.1");
    f.send(0, 1, "10.0.0.3");
    f.complete(0);
    ASSERT_EQ(f.outcomes.size(), 2u);
    EXPECT_EQ(f.outcomes[1].second.kind, Kind::passed);
    EXPECT_EQ(f.banned(), std::vector<std::string>{"10.0.0.2"});
}

TEST(PieceWriter, AMixedBadPieceConvictsTheLiarOnceThePiecePasses) {
    Fixture f;
    mixed_bad_piece_convicts_the_liar(f);
}

TEST(PieceWriter, KnowsWhoSentTheBufferedBlocks) {
    Fixture f;
    f.send(0, 1, "10.0.0.1");
    f.send(2, 0, "10.0.0.1");
    f.send(2, 1, "10.0.0.2");
    auto blocks = f.writer.blocks_from(boost::asio::ip::make_address("10.0.0.1"));
    std::sort(blocks.begin(), blocks.end());
    EXPECT_EQ(blocks, (std::vector<std::pair<std::size_t, std::size_t>>{{0, 1}, {2, 0}}));
    f.writer.drop(2);
    EXPECT_EQ(f.writer.blocks_from(boost::asio::ip::make_address("10.0.0.2")).size(), 0u);
    f.writer.drop_all();
    EXPECT_EQ(f.writer.buffered_pieces(), 0u);
}

TEST(PieceWriter, AFailedWriteIsReported) {
    Fixture f;
    f.storage->forbid_writes();
    f.send(0, 0, "10.0.0.1");
    f.send(0, 1, "10.0.0.1");
    f.complete(0);
    ASSERT_EQ(f.outcomes.size(), 1u);
    EXPECT_EQ(f.outcomes[0].second.kind, Kind::write_error);
    EXPECT_FALSE(f.outcomes[0].second.write_error.empty());
}

TEST(PieceWriter, APieceHashFetchedFromPeersSettlesAV2Piece) {
    Fixture f(TorrentFormat::v2);
    auto bare = std::make_shared<TorrentInfo>(*f.info);
    for (auto& file : bare->files) file.piece_layer.clear();
    const Sha256Hash good = f.info->files[0].piece_layer.at(1);
    const std::string_view bytes(f.content.data() + k_piece, static_cast<std::size_t>(k_piece));
    TorrentStorage storage(f.target.path(), *bare);
    EXPECT_FALSE(PieceWriter::check_and_write(*bare, storage, 1, bytes, std::nullopt, false).good);
    EXPECT_FALSE(PieceWriter::check_and_write(*bare, storage, 1, bytes, f.info->files[0].piece_layer.at(0), false).good);
    const auto verdict = PieceWriter::check_and_write(*bare, storage, 1, bytes, good, false);
    EXPECT_TRUE(verdict.good);
    EXPECT_TRUE(verdict.block_hashes.empty());
    EXPECT_EQ(PieceWriter::check_and_write(*bare, storage, 1, bytes, good, true).block_hashes.size(), 2u);
}

// Pieces larger than the memory allowed for one: each block goes to disk as it comes.
constexpr std::size_t k_one_block = wire::k_block_size;

TEST(PieceWriter, ALargePiecesBlocksGoToDiskAtOnceAndThePieceIsCheckedFromThere) {
    Fixture f(TorrentFormat::v1, k_one_block);
    f.send(1, 0, "10.0.0.1");
    EXPECT_EQ(f.writer.bytes_in_memory(), 0u);
    EXPECT_EQ(f.on_disk(1).substr(0, wire::k_block_size),
              f.content.substr(static_cast<std::size_t>(k_piece), wire::k_block_size))
        << "written before the piece is complete";
    f.send(1, 1, "10.0.0.2");
    f.complete(1);
    ASSERT_EQ(f.outcomes.size(), 1u);
    EXPECT_EQ(f.outcomes[0].second.kind, Kind::passed);
    EXPECT_EQ(f.writer.buffered_pieces(), 0u);
    EXPECT_EQ(f.on_disk(1), f.content.substr(static_cast<std::size_t>(k_piece), static_cast<std::size_t>(k_piece)));
}

TEST(PieceWriter, ALargeBadPieceFailsAndItsSoleSenderIsBanned) {
    Fixture f(TorrentFormat::v1, k_one_block);
    f.send(2, 0, "10.0.0.9", true);
    f.send(2, 1, "10.0.0.9");
    f.complete(2);
    ASSERT_EQ(f.outcomes.size(), 1u);
    EXPECT_EQ(f.outcomes[0].second.kind, Kind::failed);
    EXPECT_EQ(f.banned(), std::vector<std::string>{"10.0.0.9"});
}

TEST(PieceWriter, ALargeMixedPieceConvictsTheLiarFromTheBlocksReadBack) {
    Fixture f(TorrentFormat::hybrid, k_one_block);
    mixed_bad_piece_convicts_the_liar(f);
}

TEST(PieceWriter, ALargePieceIsCheckedOnlyOnceEveryBlockIsWritten) {
    Fixture f(TorrentFormat::v1, k_one_block);
    f.inline_disk = false;
    f.send(0, 0, "10.0.0.1");
    f.send(0, 1, "10.0.0.1");
    f.complete(0);
    EXPECT_EQ(f.writer.writing(), 2);
    ASSERT_EQ(f.disk.size(), 2u) << "two block writes, no check yet";
    auto run_next = [&f] {
        auto job = std::move(f.disk.front());
        f.disk.pop_front();
        job();
    };
    run_next();
    EXPECT_EQ(f.disk.size(), 1u) << "the second write";
    run_next();
    ASSERT_EQ(f.disk.size(), 1u) << "the check, queued once the last write is back";
    EXPECT_TRUE(f.outcomes.empty());
    run_next();
    EXPECT_EQ(f.writer.writing(), 0);
    ASSERT_EQ(f.outcomes.size(), 1u);
    EXPECT_EQ(f.outcomes[0].second.kind, Kind::passed);
}

TEST(PieceWriter, ALargePieceWhoseBlockWriteFailedReportsIt) {
    Fixture f(TorrentFormat::v1, k_one_block);
    f.storage->forbid_writes();
    f.send(0, 0, "10.0.0.1");
    f.send(0, 1, "10.0.0.1");
    f.complete(0);
    ASSERT_EQ(f.outcomes.size(), 1u);
    EXPECT_EQ(f.outcomes[0].second.kind, Kind::write_error);
}
