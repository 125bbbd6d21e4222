#pragma once
// Reads a torrent's byte stream from its files on disk, one range at a time (pread).

#include <cstdint>
#include <filesystem>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "metainfo/torrent_info.hpp"

namespace shoal {

enum class ReadStatus { ok, missing, short_file, io_error };

struct ReadResult {
    ReadStatus status = ReadStatus::ok;
    std::size_t file = 0;  // the file that failed, when status != ok
};

// One thread's open file, kept between reads so consecutive chunks of a file reuse it.
class OpenFile {
public:
    OpenFile() = default;
    ~OpenFile();
    OpenFile(const OpenFile&) = delete;
    OpenFile& operator=(const OpenFile&) = delete;

    // The descriptor of `file` at `path`, opening it if it is not the one held; -1 and errno.
    int get(std::size_t file, const std::filesystem::path& path);

private:
    std::size_t file_ = SIZE_MAX;
    int fd_ = -1;
};

// Thread-safe: each thread passes its own OpenFile.
class PieceReader {
public:
    // `save_dir` is the folder that holds the torrent's file or top folder.
    PieceReader(std::filesystem::path save_dir, const TorrentInfo& torrent);

    // Fills `out` with the stream bytes starting at `offset`; pad files read as zeros.
    ReadResult read(std::int64_t offset, std::span<char> out, OpenFile& open) const;

    std::filesystem::path file_path(std::size_t file) const;

private:
    std::filesystem::path save_dir_;
    const TorrentInfo& torrent_;
};

// The file holding stream byte `offset` (pads included), by binary search.
std::size_t file_at(const TorrentInfo& torrent, std::int64_t offset);

// Reads stream bytes file by file through `read_file(file, at, part)`, which fills `part` from
// byte `at` of the file; pad files and symlinks read as zeros, empty files are never asked for.
ReadResult read_stream(const TorrentInfo& torrent, std::int64_t offset, std::span<char> out,
                       const std::function<ReadStatus(std::size_t file, std::int64_t at, std::span<char> part)>& read_file);

// Fills `out` from byte `at` of `fd`: ok, short_file past the file's end, or io_error.
ReadStatus read_exactly(int fd, std::int64_t at, std::span<char> out);
// What a failed open (errno) means for a read: missing or io_error.
ReadStatus open_failure();

}  // namespace shoal
