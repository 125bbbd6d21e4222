#include "storage/move_files.hpp"

#include <fcntl.h>
#include <stdio.h>  // renameat2
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <vector>

#include "storage/beneath.hpp"
#include "util/error_code.hpp"

namespace shoal {
namespace {

constexpr std::size_t k_copy_buffer = 1 << 20;

Error move_error(int error, const std::string& what, const std::filesystem::path& path) {
    return make_error(error_code_from_errno(error), what + " '" + path.string() + "': " + std::strerror(error));
}

// A descriptor closed when it goes out of scope.
class Fd {
public:
    explicit Fd(int fd = -1) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }

private:
    int fd_;
};

struct Moving {
    const FileEntry* file;
    std::filesystem::path from;  // for messages
    std::filesystem::path to;
};

bool exists_beneath(const std::filesystem::path& dir, const std::vector<std::string>& parts, bool* regular) {
    Fd parent(open_parent_beneath(dir, parts, false));
    if (!parent) return false;
    struct stat st {};
    if (::fstatat(parent.get(), parts.back().c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return false;
    if (regular) *regular = S_ISREG(st.st_mode);
    return true;
}

// Writes all of `data` at `at`.
bool write_all(int fd, const char* data, std::size_t size, off_t at) {
    for (std::size_t put = 0; put < size;) {
        const ssize_t n = ::pwrite(fd, data + put, size - put, at + static_cast<off_t>(put));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            if (n == 0) errno = EIO;
            return false;
        }
        put += static_cast<std::size_t>(n);
    }
    return true;
}

// Copies the bytes [begin, end) of `in` to `out` at the same offsets.
bool copy_range(int in, int out, off_t begin, off_t end, std::vector<char>& buffer) {
    for (off_t at = begin; at < end;) {
        const auto want = static_cast<std::size_t>(std::min<off_t>(end - at, static_cast<off_t>(buffer.size())));
        const ssize_t n = ::pread(in, buffer.data(), want, at);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return false;
        if (n == 0) return true;  // the file is shorter than it said
        if (!write_all(out, buffer.data(), static_cast<std::size_t>(n), at)) return false;
        at += n;
    }
    return true;
}

// Copies one file to a new file (never replacing one), keeping its size, mode and holes (a
// partly downloaded file stays sparse), and flushes the copy. errno set on failure, and then
// the copy may exist partly (the caller deletes it).
bool copy_file(const std::filesystem::path& from_dir, const std::filesystem::path& to_dir, const FileEntry& f,
               bool& created) {
    Fd in(open_beneath(from_dir, f.path, false, 0));
    if (!in) return false;
    struct stat st {};
    if (::fstat(in.get(), &st) != 0) return false;
    Fd parent(open_parent_beneath(to_dir, f.path, true));
    if (!parent) return false;
    Fd out(::openat(parent.get(), f.path.back().c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                    st.st_mode & 07777));
    if (!out) return false;
    created = true;
    if (::ftruncate(out.get(), st.st_size) != 0) return false;
    std::vector<char> buffer(k_copy_buffer);
    off_t at = 0;
    while (at < st.st_size) {
        off_t data = ::lseek(in.get(), at, SEEK_DATA);
        if (data < 0 && errno == ENXIO) break;  // only a hole is left
        if (data < 0) {
            // No hole support: copy everything that is left.
            if (!copy_range(in.get(), out.get(), at, st.st_size, buffer)) return false;
            break;
        }
        off_t hole = ::lseek(in.get(), data, SEEK_HOLE);
        if (hole < 0) hole = st.st_size;
        if (!copy_range(in.get(), out.get(), data, hole, buffer)) return false;
        at = hole;
    }
    return ::fdatasync(out.get()) == 0;
}

// Syncs the folders that hold the copies, so the new names are durable before the originals
// go. errno set on failure.
bool sync_folders(const std::filesystem::path& to, const std::vector<Moving>& copied) {
    for (const Moving& m : copied) {
        Fd parent(open_parent_beneath(to, m.file->path, false));
        if (!parent || ::fsync(parent.get()) != 0) return false;
    }
    return true;
}

int rename_beneath(const std::filesystem::path& from, const std::filesystem::path& to,
                   const std::vector<std::string>& parts) {
    Fd source(open_parent_beneath(from, parts, false));
    if (!source) return errno;
    Fd target(open_parent_beneath(to, parts, true));
    if (!target) return errno;
    if (::renameat2(source.get(), parts.back().c_str(), target.get(), parts.back().c_str(), RENAME_NOREPLACE) != 0) {
        return errno;
    }
    return 0;
}

void unlink_beneath(const std::filesystem::path& dir, const std::vector<std::string>& parts) {
    Fd parent(open_parent_beneath(dir, parts, false));
    if (parent) ::unlinkat(parent.get(), parts.back().c_str(), 0);
}

}  // namespace

Result<bool> move_files(const TorrentInfo& torrent, const std::filesystem::path& from,
                        const std::filesystem::path& to, MoveMethod method) {
    std::error_code ec;
    if (std::filesystem::equivalent(from, to, ec)) return true;

    std::vector<Moving> files;
    for (const FileEntry& f : torrent.files) {
        if (f.pad || f.symlink || f.path.empty()) continue;
        bool regular = false;
        if (!exists_beneath(from, f.path, &regular)) continue;  // not downloaded (or skipped)
        const auto target = to / f.joined_path();
        if (!regular) return make_error(ErrorCode::invalid_input, "cannot move '" + (from / f.joined_path()).string() +
                                                                      "': it is not a regular file");
        if (exists_beneath(to, f.path, nullptr)) {
            return make_error(ErrorCode::invalid_input, "cannot move to '" + target.string() + "': it exists already");
        }
        files.push_back({&f, from / f.joined_path(), target});
    }
    if (!std::filesystem::create_directories(to, ec) && ec) {
        return move_error(ec.value(), "cannot make the folder", to);
    }

    std::vector<Moving> renamed;
    std::vector<Moving> copied;
    // Puts everything back as it was: renamed files return, copies go.
    auto undo = [&] {
        for (const Moving& m : renamed) rename_beneath(to, from, m.file->path);
        for (const Moving& m : copied) unlink_beneath(to, m.file->path);
        remove_empty_folders_beneath(to, torrent);
    };
    for (const Moving& m : files) {
        if (method == MoveMethod::rename_or_copy) {
            const int error = rename_beneath(from, to, m.file->path);
            if (error == 0) {
                renamed.push_back(m);
                continue;
            }
            if (error != EXDEV) {
                undo();
                return move_error(error, "cannot move '" + m.from.string() + "' to", m.to);
            }
        }
        bool created = false;
        if (!copy_file(from, to, *m.file, created)) {
            const int error = errno;
            if (created) copied.push_back(m);
            undo();
            return move_error(error, "cannot copy '" + m.from.string() + "' to", m.to);
        }
        copied.push_back(m);
    }
    if (!sync_folders(to, copied)) {
        const int error = errno;
        undo();
        return move_error(error, "cannot flush the folder", to);
    }
    // Every copy is whole and durable: only now do the originals go.
    for (const Moving& m : copied) unlink_beneath(from, m.file->path);
    remove_empty_folders_beneath(from, torrent);
    return true;
}

}  // namespace shoal
