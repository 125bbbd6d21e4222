#include "storage/piece_reader.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace shoal {

OpenFile::~OpenFile() {
    if (fd_ >= 0) ::close(fd_);
}

int OpenFile::get(std::size_t file, const std::filesystem::path& path) {
    if (file == file_ && fd_ >= 0) return fd_;
    if (fd_ >= 0) ::close(fd_);
    file_ = file;
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ >= 0) ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
    return fd_;
}

std::size_t file_at(const TorrentInfo& torrent, std::int64_t offset) {
    const auto& files = torrent.files;
    auto it = std::upper_bound(files.begin(), files.end(), offset,
                               [](std::int64_t off, const FileEntry& f) { return off < f.offset; });
    std::size_t index = static_cast<std::size_t>(it - files.begin()) - 1;
    // Skip empty files that share the offset with the file holding the byte.
    while (index + 1 < files.size() && files[index].offset + files[index].size <= offset) ++index;
    return index;
}

PieceReader::PieceReader(std::filesystem::path save_dir, const TorrentInfo& torrent)
    : save_dir_(std::move(save_dir)), torrent_(torrent) {}

std::filesystem::path PieceReader::file_path(std::size_t file) const {
    std::filesystem::path p = save_dir_;
    for (const auto& part : torrent_.files[file].path) p /= part;
    return p;
}

ReadStatus read_exactly(int fd, std::int64_t at, std::span<char> out) {
    for (std::size_t got = 0; got < out.size();) {
        const ssize_t n = ::pread(fd, out.data() + got, out.size() - got, static_cast<off_t>(at) + static_cast<off_t>(got));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return ReadStatus::io_error;
        if (n == 0) return ReadStatus::short_file;
        got += static_cast<std::size_t>(n);
    }
    return ReadStatus::ok;
}

ReadStatus open_failure() { return errno == ENOENT || errno == ENOTDIR ? ReadStatus::missing : ReadStatus::io_error; }

ReadResult read_stream(const TorrentInfo& torrent, std::int64_t offset, std::span<char> out,
                       const std::function<ReadStatus(std::size_t, std::int64_t, std::span<char>)>& read_file) {
    std::size_t index = file_at(torrent, offset);
    std::size_t done = 0;
    while (done < out.size() && index < torrent.files.size()) {
        const FileEntry& f = torrent.files[index];
        const std::int64_t in_file = offset + static_cast<std::int64_t>(done) - f.offset;
        const auto want = static_cast<std::size_t>(
            std::min<std::int64_t>(f.size - in_file, static_cast<std::int64_t>(out.size() - done)));
        if (want > 0 && (f.pad || f.symlink)) {
            std::memset(out.data() + done, 0, want);
        } else if (want > 0) {
            const ReadStatus status = read_file(index, in_file, out.subspan(done, want));
            if (status != ReadStatus::ok) return {status, index};
        }
        done += want;
        ++index;
    }
    return {};
}

ReadResult PieceReader::read(std::int64_t offset, std::span<char> out, OpenFile& open) const {
    return read_stream(torrent_, offset, out, [&](std::size_t file, std::int64_t at, std::span<char> part) {
        const int fd = open.get(file, file_path(file));
        return fd < 0 ? open_failure() : read_exactly(fd, at, part);
    });
}

}  // namespace shoal
