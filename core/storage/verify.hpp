#pragma once
// Checks data on disk against a torrent: missing or mis-sized files, and every piece's hash.

#include <atomic>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "metainfo/torrent_info.hpp"

namespace shoal {

struct FileProblem {
    enum class Kind { missing, wrong_size, unreadable };
    std::size_t file = 0;
    Kind kind = Kind::missing;
    std::int64_t expected_size = 0;
    std::int64_t actual_size = 0;
};

struct VerifyReport {
    std::int64_t num_pieces = 0;
    std::int64_t good_pieces = 0;
    std::vector<std::int64_t> bad_pieces;  // ascending
    std::vector<FileProblem> file_problems;
    bool ok() const { return bad_pieces.empty() && file_problems.empty(); }
};

struct VerifyOptions {
    unsigned threads = 0;  // 0: one per core
    // Called about ten times a second with bytes checked so far and the total.
    std::function<void(std::int64_t done, std::int64_t total)> progress;
    const std::atomic<bool>* cancel = nullptr;
};

// `save_dir` holds the torrent's file or top folder. Checks v1 and v2 hashes where present.
VerifyReport verify_torrent(const TorrentInfo& torrent, const std::filesystem::path& save_dir,
                            const VerifyOptions& options = {});

std::string_view to_string(FileProblem::Kind kind);

}  // namespace shoal
