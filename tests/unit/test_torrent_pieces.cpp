// A torrent's pieces: blocks picked and received, finished pieces hashed and written on a
// real disk pool, failed pieces wanted again, file priorities, and a banned sender's blocks.
#include <gtest/gtest.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include "creation/create_torrent.hpp"
#include "session/torrent_pieces.hpp"
#include "test_files.hpp"

using namespace shoal;

namespace {

using Kind = PieceWriter::Outcome::Kind;
constexpr std::int64_t k_piece = 2 * wire::k_block_size;  // two blocks a piece

auto never_asked = [](const wire::BlockRequest&) { return false; };

struct Fixture {
    test::TempDir source;
    test::TempDir target;
    std::string content;
    std::shared_ptr<const TorrentInfo> info;
    std::shared_ptr<TorrentStorage> storage;
    boost::asio::io_context io;
    // The disk thread posts verdicts back: run_one() waits for them.
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> busy{io.get_executor()};
    DiskPool disk{1};
    std::vector<std::pair<std::size_t, Kind>> checked;
    std::unique_ptr<TorrentPieces> pieces;

    explicit Fixture(std::int64_t memory_budget = 64 * k_piece) {
        test::write_file(source.path() / "a.bin", static_cast<std::size_t>(3 * k_piece), 3);
        test::write_file(source.path() / "b.bin", static_cast<std::size_t>(k_piece), 4);
        CreateOptions options;
        options.piece_length = k_piece;
        info = std::make_shared<const TorrentInfo>(create_torrent(source.path(), options).value().info);
        content = test::read_file(source.path() / "a.bin") + test::read_file(source.path() / "b.bin");
        storage = std::make_shared<TorrentStorage>(target.path(), *info);
        EXPECT_TRUE(storage->create_empty_files({}));
        pieces = std::make_unique<TorrentPieces>(
            info, TorrentPieces::Options{false, memory_budget}, disk, io.get_executor(),
            [this](std::size_t piece, const PieceWriter::Outcome& o) { checked.emplace_back(piece, o.kind); });
        pieces->reset({});
    }
    Bitfield everything() const {
        Bitfield all(static_cast<std::size_t>(info->num_pieces));
        for (std::size_t p = 0; p < all.size(); ++p) all.set(p);
        return all;
    }
    // Hands in each block of `piece` from `sender` (its bytes spoiled when `bad`) and waits
    // for the verdict.
    void deliver(std::size_t piece, const std::string& sender, bool bad = false) {
        const auto before = checked.size();
        for (std::size_t b = 0; b < 2; ++b) {
            const std::size_t offset = piece * static_cast<std::size_t>(k_piece) + b * wire::k_block_size;
            std::string bytes = content.substr(offset, wire::k_block_size);
            if (bad) bytes[3] ^= 0x20;
            const wire::BlockRequest block{static_cast<std::uint32_t>(piece),
                                           static_cast<std::uint32_t>(b * wire::k_block_size),
                                           static_cast<std::uint32_t>(bytes.size())};
            EXPECT_TRUE(pieces->add_block(block, bytes, boost::asio::ip::make_address(sender), storage));
        }
        while (checked.size() == before) io.run_one();
    }
    // Asks the picker for every block of `piece` (as a peer that has everything would be).
    void request(std::size_t piece) {
        for (const auto& b : pieces->picker().pick(everything(), 64, never_asked)) {
            if (b.piece != piece) pieces->picker().abort_request(b);
        }
    }
};

}  // namespace

TEST(TorrentPieces, AGoodPieceIsWrittenAndHad) {
    Fixture f;
    f.pieces->picker().add_peer_pieces(f.everything());
    f.request(1);
    f.deliver(1, "198.51.100.7");
    ASSERT_EQ(f.checked.size(), 1u);
    EXPECT_EQ(f.checked[0], std::make_pair(std::size_t{1}, Kind::passed));
    EXPECT_TRUE(f.pieces->picker().have(1));
    std::string on_disk(static_cast<std::size_t>(k_piece), '\0');
    f.storage->read(k_piece, on_disk);
    EXPECT_EQ(on_disk, f.content.substr(static_cast<std::size_t>(k_piece), static_cast<std::size_t>(k_piece)));
}

TEST(TorrentPieces, ABadPieceIsWantedAgainAndNothingIsWritten) {
    Fixture f;
    f.pieces->picker().add_peer_pieces(f.everything());
    f.request(2);
    f.deliver(2, "198.51.100.7", true);
    ASSERT_EQ(f.checked.size(), 1u);
    EXPECT_EQ(f.checked[0].second, Kind::failed);
    EXPECT_FALSE(f.pieces->picker().have(2));
    EXPECT_TRUE(f.pieces->picker().wanted(2));
    std::string on_disk(static_cast<std::size_t>(k_piece), '\0');
    f.storage->read(2 * k_piece, on_disk);
    EXPECT_EQ(on_disk, std::string(static_cast<std::size_t>(k_piece), '\0'));
    // Its blocks can be asked for again.
    const auto again = f.pieces->picker().pick(f.everything(), 64, never_asked);
    EXPECT_TRUE(std::any_of(again.begin(), again.end(), [](const auto& b) { return b.piece == 2; }));
}

TEST(TorrentPieces, ABlockNotAskedForIsRefused) {
    Fixture f;
    const wire::BlockRequest block{0, 0, static_cast<std::uint32_t>(wire::k_block_size)};
    EXPECT_FALSE(f.pieces->add_block(block, f.content.substr(0, wire::k_block_size),
                                     boost::asio::ip::make_address("198.51.100.7"), f.storage));
}

TEST(TorrentPieces, SkippedFilesArePickedLastAndNeverFinish) {
    Fixture f;
    // The second file (the last piece) skipped.
    f.pieces->set_file_priorities({4, 0});
    EXPECT_FALSE(f.pieces->picker().wanted(3));
    EXPECT_TRUE(f.pieces->picker().wanted(0));
    f.pieces->add_checked({1, 1, 1, 0});
    EXPECT_TRUE(f.pieces->picker().finished());
}

TEST(TorrentPieces, ResetForgetsWhatWasHadAndWhatWasInMemory) {
    Fixture f;
    f.pieces->add_checked({1, 0, 1, 0});
    EXPECT_TRUE(f.pieces->picker().have(0));
    f.pieces->picker().add_peer_pieces(f.everything());
    f.request(1);
    const wire::BlockRequest half{1, 0, static_cast<std::uint32_t>(wire::k_block_size)};
    EXPECT_TRUE(f.pieces->add_block(half, f.content.substr(static_cast<std::size_t>(k_piece), wire::k_block_size),
                                    boost::asio::ip::make_address("198.51.100.7"), f.storage));
    f.pieces->reset({});
    EXPECT_FALSE(f.pieces->picker().have(0));
    EXPECT_EQ(f.pieces->picker().have_pieces().count(), 0u);
}

TEST(TorrentPieces, ABannedSendersBlocksAreAskedForAgain) {
    Fixture f;
    f.pieces->picker().add_peer_pieces(f.everything());
    f.request(1);
    const auto liar = boost::asio::ip::make_address("198.51.100.66");
    const wire::BlockRequest half{1, 0, static_cast<std::uint32_t>(wire::k_block_size)};
    ASSERT_TRUE(f.pieces->add_block(half, f.content.substr(static_cast<std::size_t>(k_piece), wire::k_block_size),
                                    liar, f.storage));
    bool done = false;
    EXPECT_FALSE(f.pieces->picker().block_received(half, done)) << "the block is in already";
    f.pieces->discard_blocks_from(liar);
    // Asked again of an honest peer, accepted again.
    f.request(1);
    EXPECT_TRUE(f.pieces->add_block(half, f.content.substr(static_cast<std::size_t>(k_piece), wire::k_block_size),
                                    boost::asio::ip::make_address("198.51.100.7"), f.storage));
}

TEST(TorrentPieces, WhenWrittenWaitsForThePieceBeingWritten) {
    Fixture f;
    f.pieces->picker().add_peer_pieces(f.everything());
    f.request(0);
    bool ran = false;
    f.pieces->when_written([&] { ran = true; });
    EXPECT_TRUE(ran) << "nothing was being written";
    ran = false;
    for (std::size_t b = 0; b < 2; ++b) {
        const wire::BlockRequest block{0, static_cast<std::uint32_t>(b * wire::k_block_size),
                                       static_cast<std::uint32_t>(wire::k_block_size)};
        f.pieces->add_block(block, f.content.substr(b * wire::k_block_size, wire::k_block_size),
                            boost::asio::ip::make_address("198.51.100.7"), f.storage);
    }
    ASSERT_EQ(f.pieces->writing(), 1);
    f.pieces->when_written([&] { ran = true; });
    EXPECT_FALSE(ran);
    while (f.checked.empty()) f.io.run_one();
    EXPECT_TRUE(ran);
    EXPECT_EQ(f.pieces->writing(), 0);
}

TEST(TorrentPieces, APieceLargerThanTheMemoryBudgetIsWrittenAsItComes) {
    Fixture f(wire::k_block_size);  // a budget of one block: every piece is too large
    f.pieces->picker().add_peer_pieces(f.everything());
    const auto asked = f.pieces->picker().pick(f.everything(), 64, never_asked);
    ASSERT_EQ(asked.size(), 2u) << "one piece at a time, both its blocks";
    const std::size_t piece = asked[0].piece;
    const auto bytes_of = [&](const wire::BlockRequest& b) {
        return f.content.substr(piece * static_cast<std::size_t>(k_piece) + b.begin, b.length);
    };
    ASSERT_TRUE(f.pieces->add_block(asked[0], bytes_of(asked[0]), boost::asio::ip::make_address("198.51.100.7"),
                                    f.storage));
    while (f.pieces->writing() > 0) f.io.run_one();
    std::string on_disk(asked[0].length, '\0');
    f.storage->read(static_cast<std::int64_t>(piece) * k_piece + asked[0].begin, on_disk);
    EXPECT_EQ(on_disk, bytes_of(asked[0])) << "on disk before the piece is complete";
    ASSERT_TRUE(f.pieces->add_block(asked[1], bytes_of(asked[1]), boost::asio::ip::make_address("198.51.100.8"),
                                    f.storage));
    while (f.checked.empty()) f.io.run_one();
    EXPECT_EQ(f.checked[0], std::make_pair(piece, Kind::passed));
    EXPECT_TRUE(f.pieces->picker().have(piece));
}

TEST(TorrentPieces, NoPickerIsMadeUntilOneIsAskedFor) {
    Fixture f;
    f.pieces->reset({4, 0});  // the last piece skipped
    EXPECT_FALSE(f.pieces->has_picker());
    // The figures are a new picker's, read without making one.
    EXPECT_FALSE(f.pieces->finished());
    EXPECT_EQ(f.pieces->wanted_bytes(), 3 * k_piece);
    EXPECT_EQ(f.pieces->had_bytes(), 0);
    EXPECT_EQ(f.pieces->pieces_had(), 0u);
    EXPECT_EQ(f.pieces->have_bytes(), Bitfield(4).to_bytes());
    EXPECT_FALSE(f.pieces->has_picker());
    // Other priorities give other figures, still without a picker.
    f.pieces->reset({0, 0});
    EXPECT_TRUE(f.pieces->finished());
    EXPECT_EQ(f.pieces->wanted_bytes(), 0);
    f.pieces->reset({4, 0});
    EXPECT_FALSE(f.pieces->finished());
    EXPECT_EQ(f.pieces->wanted_bytes(), 3 * k_piece);
    EXPECT_FALSE(f.pieces->has_picker());
    // Made when asked for, with the priorities.
    EXPECT_FALSE(f.pieces->picker().wanted(3));
    EXPECT_TRUE(f.pieces->picker().wanted(0));
    EXPECT_EQ(f.pieces->picker().wanted_bytes(), 3 * k_piece);
}

TEST(TorrentPieces, ACompleteTorrentHoldsNoPickerUntilOneIsNeeded) {
    Fixture f;
    f.pieces->reset({4, 0});
    f.pieces->add_checked({1, 1, 1, 1});
    EXPECT_TRUE(f.pieces->folded());
    EXPECT_FALSE(f.pieces->has_picker());
    EXPECT_TRUE(f.pieces->finished());
    EXPECT_TRUE(f.pieces->all_had());
    EXPECT_EQ(f.pieces->wanted_bytes(), 4 * k_piece);
    EXPECT_EQ(f.pieces->had_bytes(), 4 * k_piece);
    EXPECT_EQ(f.pieces->pieces_had(), 4u);
    EXPECT_EQ(f.pieces->have_bytes(), Bitfield(4, true).to_bytes());
    // A peer needs the picker: it is made with every piece had and the priorities kept.
    PiecePicker& picker = f.pieces->picker();
    EXPECT_FALSE(f.pieces->folded());
    EXPECT_TRUE(picker.have_pieces().all());
    EXPECT_EQ(picker.priority(3), 0);
    EXPECT_EQ(picker.wanted_bytes(), 4 * k_piece);
    EXPECT_EQ(picker.had_bytes(), 4 * k_piece);
    EXPECT_TRUE(picker.finished());
    EXPECT_TRUE(picker.pick(f.everything(), 64, never_asked).empty());
    // Not folded while a source is counted in it; folded again once it has gone.
    picker.add_peer_pieces(f.everything());
    f.pieces->fold();
    EXPECT_TRUE(f.pieces->has_picker());
    picker.remove_peer_pieces(f.everything());
    f.pieces->fold();
    EXPECT_TRUE(f.pieces->folded());
    // A priority change on a folded torrent goes to a picker made for it.
    f.pieces->set_file_priorities({4, 4});
    EXPECT_TRUE(f.pieces->has_picker());
    EXPECT_EQ(f.pieces->picker().priority(3), 4);
    EXPECT_TRUE(f.pieces->picker().have_pieces().all());
}

TEST(TorrentPieces, AnIncompleteTorrentIsNotFolded) {
    Fixture f;
    f.pieces->add_checked({1, 1, 0, 1});
    f.pieces->fold();
    EXPECT_FALSE(f.pieces->folded());
    EXPECT_FALSE(f.pieces->finished());
    EXPECT_EQ(f.pieces->pieces_had(), 3u);
    // The last piece comes in: complete, and folded when asked to be.
    f.pieces->picker().add_peer_pieces(f.everything());
    f.request(2);
    f.deliver(2, "198.51.100.7");
    EXPECT_TRUE(f.pieces->finished());
    f.pieces->fold();
    EXPECT_FALSE(f.pieces->folded()) << "the peer's pieces are still counted";
    f.pieces->picker().remove_peer_pieces(f.everything());
    f.pieces->fold();
    EXPECT_TRUE(f.pieces->folded());
    EXPECT_EQ(f.pieces->had_bytes(), 4 * k_piece);
}
