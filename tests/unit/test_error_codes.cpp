// The kind of an error, as callers branch on it: files, torrent creation, trackers.
#include <gtest/gtest.h>

#include <unistd.h>
#include <atomic>
#include <cerrno>
#include <filesystem>
#include <string>
#include <system_error>

#include "creation/create_torrent.hpp"
#include "creation/scan_files.hpp"
#include "discovery/tracker/tracker_response.hpp"
#include "discovery/tracker/tracker_url.hpp"
#include "storage/torrent_storage.hpp"
#include "test_files.hpp"
#include "tracker_protocol/udp_client_packets.hpp"
#include "util/error_code.hpp"

namespace fs = std::filesystem;
using namespace shoal;

namespace {

// A fresh folder under the system's temporary folder, removed at the end of the test.
class TempFolder {
  public:
    TempFolder() {
        path_ = fs::temp_directory_path() /
                ("shoal-error-codes-" + std::to_string(::getpid()) + "-" +
                 ::testing::UnitTest::GetInstance()->current_test_info()->name());
        fs::remove_all(path_);
        fs::create_directories(path_);
    }
    ~TempFolder() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    const fs::path& path() const { return path_; }

  private:
    fs::path path_;
};

TEST(ErrorCodes, AMessageAloneHasNoSpecificKind) {
    const Error e = make_error("something failed");
    EXPECT_EQ(e.code, ErrorCode::other);
    EXPECT_EQ(e.message, "something failed");
    const Error timed_out = make_error(ErrorCode::timeout, "no reply");
    EXPECT_EQ(timed_out.code, ErrorCode::timeout);
    EXPECT_EQ(timed_out.message, "no reply");
}

TEST(ErrorCodes, SystemErrorsMapToTheirKind) {
    EXPECT_EQ(error_code_from_errno(ENOSPC), ErrorCode::no_space);
    EXPECT_EQ(error_code_from_errno(EDQUOT), ErrorCode::no_space);
    EXPECT_EQ(error_code_from_errno(EACCES), ErrorCode::permission);
    EXPECT_EQ(error_code_from_errno(EROFS), ErrorCode::permission);
    EXPECT_EQ(error_code_from_errno(ENOENT), ErrorCode::not_found);
    EXPECT_EQ(error_code_from_errno(EFBIG), ErrorCode::too_large);
    EXPECT_EQ(error_code_from_errno(EIO), ErrorCode::io);
    EXPECT_EQ(error_code_from(std::make_error_code(std::errc::no_space_on_device)),
              ErrorCode::no_space);
    EXPECT_EQ(error_code_from(std::make_error_code(std::errc::permission_denied)),
              ErrorCode::permission);
}

TEST(ErrorCodes, WritingBelowAFileIsNotFound) {
    TempFolder temp;
    const fs::path source = temp.path() / "data.bin";
    test::write_file(source, 40000, 1);
    auto created = create_torrent(source, {});
    ASSERT_TRUE(created) << created.error().message;

    // The save folder is a regular file: nothing can be created below it.
    const fs::path blocker = temp.path() / "blocker";
    test::write_file(blocker, 10, 2);
    TorrentStorage storage(blocker / "save", created->info);
    const std::string data(100, 'x');
    auto written = storage.write(0, data);
    ASSERT_FALSE(written);
    EXPECT_EQ(written.error().code, ErrorCode::not_found) << written.error().message;
}

TEST(ErrorCodes, TorrentCreationTellsMissingFromUnusableFromCancelled) {
    TempFolder temp;
    auto missing = create_torrent(temp.path() / "absent", {});
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error().code, ErrorCode::not_found);

    auto empty = scan_files(temp.path(), false);
    ASSERT_FALSE(empty);
    EXPECT_EQ(empty.error().code, ErrorCode::invalid_input);

    test::write_file(temp.path() / "data.bin", 40000, 3);
    CreateOptions bad_piece;
    bad_piece.piece_length = 1000;
    auto refused = create_torrent(temp.path() / "data.bin", bad_piece);
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, ErrorCode::invalid_input);

    const std::atomic<bool> stop{true};
    CreateOptions cancelled;
    cancelled.cancel = &stop;
    auto stopped = create_torrent(temp.path() / "data.bin", cancelled);
    ASSERT_FALSE(stopped);
    EXPECT_EQ(stopped.error().code, ErrorCode::cancelled);
}

TEST(ErrorCodes, TrackerRefusalIsToldFromAMalformedReply) {
    auto refusal = tracker_client::parse_announce_reply("d14:failure reason6:bannede");
    ASSERT_FALSE(refusal);
    EXPECT_EQ(refusal.error().code, ErrorCode::refused);

    auto malformed = tracker_client::parse_announce_reply("i5e");
    ASSERT_FALSE(malformed);
    EXPECT_EQ(malformed.error().code, ErrorCode::invalid_input);

    tracker_client::ReplyLimits small;
    small.max_reply_bytes = 4;
    auto big = tracker_client::parse_announce_reply("d8:intervali1800ee", small);
    ASSERT_FALSE(big);
    EXPECT_EQ(big.error().code, ErrorCode::too_large);

    auto url = tracker_client::split_tracker_url("not a url");
    ASSERT_FALSE(url);
    EXPECT_EQ(url.error().code, ErrorCode::invalid_input);
}

TEST(ErrorCodes, UdpTrackerErrorPacketIsARefusal) {
    const tracker_protocol::Bytes packet = {0, 0, 0, 3, 0, 0, 0, 9, 'n', 'o'};
    auto reply = tracker_protocol::decode_connect_reply(packet, 9);
    ASSERT_FALSE(reply);
    EXPECT_EQ(reply.error().code, ErrorCode::refused);

    auto foreign = tracker_protocol::decode_connect_reply(packet, 10);
    ASSERT_FALSE(foreign);
    EXPECT_EQ(foreign.error().code, ErrorCode::invalid_input);
}

}  // namespace
