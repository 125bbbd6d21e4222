#include "storage/torrent_storage.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "storage/beneath.hpp"
#include "util/error_code.hpp"

namespace shoal {
namespace {

// The failure of the system call that just set errno.
Error file_error(const std::filesystem::path& path, const char* what) {
    const int error = errno;
    return make_error(error_code_from_errno(error),
                      std::string(what) + " '" + path.string() + "': " + std::strerror(error));
}

}  // namespace

TorrentStorage::TorrentStorage(std::filesystem::path save_dir, const TorrentInfo& torrent, FilePool& pool)
    : save_dir_(std::move(save_dir).native()), torrent_(torrent), pool_(pool), owner_(pool.new_owner()) {}

TorrentStorage::~TorrentStorage() { pool_.close_all(owner_); }

FilePool::Handle TorrentStorage::acquire(std::size_t file, FilePool::Mode mode) {
    const FileEntry& f = torrent_.files[file];
    const bool write = mode == FilePool::Mode::write;
    return pool_.acquire({owner_, file}, mode, [&] {
        if (write) {
            std::error_code ec;
            std::filesystem::create_directories(save_dir(), ec);
        }
        return open_beneath(save_dir(), f.path, write, write ? f.size : 0);
    });
}

Result<bool> TorrentStorage::rename_on_disk(std::size_t file, const std::vector<std::string>& new_path) {
    std::lock_guard lock(mutex_);
    pool_.close({owner_, file});
    const auto& old_path = torrent_.files[file].path;
    const int dir = open_parent_beneath(save_dir(), old_path, false);
    if (dir < 0) return true;  // the folder does not exist yet: nothing on disk to rename
    struct stat st {};
    Result<bool> result = true;
    if (::fstatat(dir, old_path.back().c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        // Not on disk yet (a skipped or not yet started file): only the name changes.
    } else if (::fstatat(dir, new_path.back().c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
        result = make_error(ErrorCode::invalid_input,
                            "cannot rename: '" + new_path.back() + "' exists already");
    } else if (::renameat(dir, old_path.back().c_str(), dir, new_path.back().c_str()) != 0) {
        result = file_error(save_dir() / torrent_.files[file].joined_path(), "cannot rename");
    }
    ::close(dir);
    return result;
}

void TorrentStorage::close_files() {
    std::lock_guard lock(mutex_);
    pool_.close_all(owner_);
}

void TorrentStorage::forbid_writes() {
    std::lock_guard lock(mutex_);
    writes_forbidden_ = true;
}

void TorrentStorage::remove_files() {
    std::lock_guard lock(mutex_);
    writes_forbidden_ = true;
    pool_.close_all(owner_);
    unflushed_.clear();
    remove_beneath(save_dir(), torrent_);
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
            auto written = write_file(index, in_file, data.subspan(done, want));
            if (!written) return written;
        }
        done += want;
        ++index;
    }
    return true;
}

Result<bool> TorrentStorage::write_file(std::size_t file, std::int64_t at, std::span<const char> data) {
    const FileEntry& f = torrent_.files[file];
    {
        FilePool::Handle handle;
        {
            std::lock_guard lock(mutex_);
            if (writes_forbidden_) return make_error(ErrorCode::cancelled, "the torrent was removed");
            handle = acquire(file, FilePool::Mode::write);
        }
        if (!handle) return file_error(save_dir() / f.joined_path(), "cannot write");
        for (std::size_t put = 0; put < data.size();) {
            const ssize_t n = ::pwrite(handle.fd(), data.data() + put, data.size() - put,
                                       static_cast<off_t>(at + static_cast<std::int64_t>(put)));
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) return file_error(save_dir() / f.joined_path(), "cannot write");
            put += static_cast<std::size_t>(n);
        }
    }
    // Marked once written, so a flush that starts later cannot miss these bytes; and with
    // the handle returned, as rename and removal wait for loans while holding the mutex.
    std::lock_guard lock(mutex_);
    unflushed_.insert(file);
    return true;
}

ReadResult TorrentStorage::read(std::int64_t offset, std::span<char> out) {
    return read_stream(torrent_, offset, out, [this](std::size_t file, std::int64_t at, std::span<char> part) {
        FilePool::Handle handle;
        {
            std::lock_guard lock(mutex_);
            handle = acquire(file, FilePool::Mode::read);
        }
        return handle ? read_exactly(handle.fd(), at, part) : open_failure();
    });
}

Result<bool> TorrentStorage::create_empty_files(const std::vector<int>& file_priorities) {
    std::lock_guard lock(mutex_);
    if (writes_forbidden_) return make_error(ErrorCode::cancelled, "the torrent was removed");
    std::error_code ec;
    std::filesystem::create_directories(save_dir(), ec);
    for (std::size_t i = 0; i < torrent_.files.size(); ++i) {
        const FileEntry& f = torrent_.files[i];
        if (f.size != 0 || f.pad || f.symlink) continue;
        if (i < file_priorities.size() && file_priorities[i] == 0) continue;
        const int fd = open_beneath(save_dir(), f.path, true, 0);
        if (fd < 0) return file_error(save_dir() / f.joined_path(), "cannot write");
        ::close(fd);
    }
    return true;
}

Result<bool> TorrentStorage::flush() {
    std::set<std::size_t> files;
    {
        std::lock_guard lock(mutex_);
        files.swap(unflushed_);
    }
    Result<bool> result = true;
    for (const std::size_t file : files) {
        if (sync_file(file)) continue;
        result = file_error(save_dir() / torrent_.files[file].joined_path(), "cannot flush");
        std::lock_guard lock(mutex_);
        unflushed_.insert(file);
    }
    return result;
}

bool TorrentStorage::sync_file(std::size_t file) {
    FilePool::Handle handle;
    {
        std::lock_guard lock(mutex_);
        handle = acquire(file, FilePool::Mode::read);
    }
    // A file deleted since it was written has nothing left to flush.
    if (!handle) return errno == ENOENT || errno == ENOTDIR;
    return ::fdatasync(handle.fd()) == 0;
}

std::set<std::size_t> TorrentStorage::unflushed_files() const {
    std::lock_guard lock(mutex_);
    return unflushed_;
}

void TorrentStorage::hand_over_unflushed(TorrentStorage& next) {
    std::set<std::size_t> files;
    {
        std::lock_guard lock(mutex_);
        files.swap(unflushed_);
    }
    std::lock_guard lock(next.mutex_);
    next.unflushed_.merge(files);
}

}  // namespace shoal
