#pragma once
// What a torrent knows about its data on disk between runs: the verified pieces, and each
// file's size and modification time when that was true. Trusted only while every file still
// has the size and time recorded; anything else means the files are checked again.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "metainfo/torrent_info.hpp"
#include "util/result.hpp"

namespace shoal {

// One file as found on disk; size -1 when it does not exist (pads are never looked at).
struct FileStamp {
    std::int64_t size = -1;
    std::int64_t mtime_ns = 0;
    bool operator==(const FileStamp&) const = default;
};

struct ResumeData {
    std::string save_dir;
    std::string have;  // the verified pieces as wire bitfield bytes
    std::vector<FileStamp> files;  // one per entry in the torrent's file list
    // Payload moved over the torrent's whole life, so a ratio survives restarts.
    std::int64_t uploaded = 0;
    std::int64_t downloaded = 0;
};

// Looks at each of the torrent's files under `save_dir` without following symlinks.
std::vector<FileStamp> stamp_files(const TorrentInfo& torrent, const std::filesystem::path& save_dir);

std::string encode_resume_data(const TorrentInfo& torrent, const ResumeData& data);
// Refuses data written for another torrent or with counts that do not fit this one.
Result<ResumeData> decode_resume_data(const TorrentInfo& torrent, std::string_view bytes);

}  // namespace shoal
