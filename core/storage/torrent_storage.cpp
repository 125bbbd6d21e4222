#include "storage/torrent_storage.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace shoal {
namespace {

std::string describe(const std::filesystem::path& path, const char* what) {
    return std::string(what) + " '" + path.string() + "': " + std::strerror(errno);
}

// Opens (and with `create`, makes) save_dir/parts... one component at a time, never
// following a symlink, so every file stays inside the save folder.
int open_beneath(const std::filesystem::path& save_dir, const std::vector<std::string>& parts,
                 bool create, std::int64_t size) {
    int dir = ::open(save_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0) return -1;
    for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
        if (create && ::mkdirat(dir, parts[i].c_str(), 0755) != 0 && errno != EEXIST) {
            ::close(dir);
            return -1;
        }
        const int next = ::openat(dir, parts[i].c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        ::close(dir);
        if (next < 0) return -1;
        dir = next;
    }
    const int flags = create ? O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC : O_RDONLY | O_NOFOLLOW | O_CLOEXEC;
    const int fd = ::openat(dir, parts.back().c_str(), flags, 0644);
    const int saved = errno;
    ::close(dir);
    errno = saved;
    if (fd >= 0 && create) {
        struct stat st {};
        if (::fstat(fd, &st) == 0 && st.st_size < size && ::ftruncate(fd, size) != 0) {
            ::close(fd);
            return -1;
        }
    }
    return fd;
}

}  // namespace

TorrentStorage::TorrentStorage(std::filesystem::path save_dir, const TorrentInfo& torrent)
    : save_dir_(std::move(save_dir)),
      torrent_(torrent),
      fds_(torrent.files.size(), -1),
      writable_(torrent.files.size(), false) {}

TorrentStorage::~TorrentStorage() {
    for (int fd : fds_) {
        if (fd >= 0) ::close(fd);
    }
}

Result<bool> TorrentStorage::rename_on_disk(std::size_t file, const std::vector<std::string>& new_path) {
    std::lock_guard lock(mutex_);
    const auto& old_path = torrent_.files[file].path;
    if (fds_[file] >= 0) {
        ::close(fds_[file]);
        fds_[file] = -1;
        writable_[file] = false;
    }
    // The folder holding the file, reached as open_beneath reaches it: no symlinks followed.
    int dir = ::open(save_dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    for (std::size_t i = 0; dir >= 0 && i + 1 < old_path.size(); ++i) {
        const int next = ::openat(dir, old_path[i].c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        ::close(dir);
        dir = next;
    }
    if (dir < 0) return true;  // the folder does not exist yet: nothing on disk to rename
    struct stat st {};
    Result<bool> result = true;
    if (::fstatat(dir, old_path.back().c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        // Not on disk yet (a skipped or not yet started file): only the name changes.
    } else if (::fstatat(dir, new_path.back().c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
        result = make_error("cannot rename: '" + new_path.back() + "' exists already");
    } else if (::renameat(dir, old_path.back().c_str(), dir, new_path.back().c_str()) != 0) {
        result = make_error(describe(save_dir_ / torrent_.files[file].joined_path(), "cannot rename"));
    }
    ::close(dir);
    return result;
}

void TorrentStorage::forbid_writes() {
    std::lock_guard lock(mutex_);
    writes_forbidden_ = true;
    for (std::size_t i = 0; i < fds_.size(); ++i) {
        if (fds_[i] >= 0 && writable_[i]) {
            ::close(fds_[i]);
            fds_[i] = -1;
            writable_[i] = false;
        }
    }
}

Result<int> TorrentStorage::open_for_write(std::size_t file) {
    std::lock_guard lock(mutex_);
    if (writes_forbidden_) return make_error("the torrent was removed");
    if (fds_[file] >= 0 && writable_[file]) return fds_[file];
    std::error_code ec;
    std::filesystem::create_directories(save_dir_, ec);
    const FileEntry& f = torrent_.files[file];
    const int fd = open_beneath(save_dir_, f.path, true, f.size);
    if (fd < 0) return make_error(describe(save_dir_ / f.joined_path(), "cannot write"));
    if (fds_[file] >= 0) ::close(fds_[file]);
    fds_[file] = fd;
    writable_[file] = true;
    return fd;
}

int TorrentStorage::open_for_read(std::size_t file) {
    std::lock_guard lock(mutex_);
    if (fds_[file] < 0) fds_[file] = open_beneath(save_dir_, torrent_.files[file].path, false, 0);
    return fds_[file];
}

Result<bool> TorrentStorage::write(std::int64_t offset, std::span<const char> data) {
    std::size_t index = file_at(torrent_, offset);
    std::size_t done = 0;
    while (done < data.size() && index < torrent_.files.size()) {
        const FileEntry& f = torrent_.files[index];
        const std::int64_t in_file = offset + static_cast<std::int64_t>(done) - f.offset;
        const auto want = static_cast<std::size_t>(std::min<std::int64_t>(
            f.size - in_file, static_cast<std::int64_t>(data.size() - done)));
        if (want > 0 && !f.pad && !f.symlink) {
            auto fd = open_for_write(index);
            if (!fd) return fd.error();
            for (std::size_t put = 0; put < want;) {
                const ssize_t n = ::pwrite(*fd, data.data() + done + put, want - put,
                                           static_cast<off_t>(in_file + static_cast<std::int64_t>(put)));
                if (n < 0 && errno == EINTR) continue;
                if (n <= 0) return make_error(describe(save_dir_ / f.joined_path(), "cannot write"));
                put += static_cast<std::size_t>(n);
            }
        }
        done += want;
        ++index;
    }
    return true;
}

ReadResult TorrentStorage::read(std::int64_t offset, std::span<char> out) {
    return read_stream(torrent_, offset, out, [this](std::size_t file) { return open_for_read(file); });
}

Result<bool> TorrentStorage::create_empty_files(const std::vector<int>& file_priorities) {
    for (std::size_t i = 0; i < torrent_.files.size(); ++i) {
        const FileEntry& f = torrent_.files[i];
        if (f.size != 0 || f.pad || f.symlink) continue;
        if (i < file_priorities.size() && file_priorities[i] == 0) continue;
        auto fd = open_for_write(i);
        if (!fd) return fd.error();
    }
    return true;
}

}  // namespace shoal
