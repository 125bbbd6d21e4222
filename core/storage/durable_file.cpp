#include "storage/durable_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

#include "util/error_code.hpp"

namespace shoal {

namespace {

// Writes `bytes` to a new file at `path` with the mode and owner of `like` (when it exists)
// and syncs it; false with errno.
bool write_synced(const std::filesystem::path& path, std::string_view bytes, const std::filesystem::path& like) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return false;
    bool ok = true;
    struct stat old {};
    if (::stat(like.c_str(), &old) == 0) {
        ok = ::fchmod(fd, old.st_mode & 07777) == 0;
        if (ok && ::geteuid() == 0) ok = ::fchown(fd, old.st_uid, old.st_gid) == 0;
    }
    for (std::size_t put = 0; ok && put < bytes.size();) {
        const ssize_t n = ::write(fd, bytes.data() + put, bytes.size() - put);
        if (n < 0 && errno == EINTR) continue;
        ok = n > 0;
        if (ok) put += static_cast<std::size_t>(n);
    }
    ok = ok && ::fsync(fd) == 0;
    const int saved = errno;
    if (::close(fd) != 0 && ok) return false;
    errno = saved;
    return ok;
}

bool sync_folder(const std::filesystem::path& folder) {
    const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return false;
    const bool ok = ::fsync(fd) == 0;
    const int saved = errno;
    ::close(fd);
    errno = saved;
    return ok;
}

Error errno_error(const std::string& what) {
    const int error = errno;
    return make_error(error_code_from_errno(error), what + ": " + std::strerror(error));
}

}  // namespace

Result<bool> replace_file_durably(const std::filesystem::path& path, std::string_view bytes) {
    auto temporary = path;
    temporary += ".part" + std::to_string(std::random_device{}());
    std::error_code ec;
    if (!write_synced(temporary, bytes, path)) {
        Error failed = errno_error("cannot write " + temporary.string());
        std::filesystem::remove(temporary, ec);
        return failed;
    }
    std::filesystem::rename(temporary, path, ec);
    if (ec) {
        Error failed = make_error(error_code_from(ec), "cannot replace " + path.string() + ": " + ec.message());
        std::filesystem::remove(temporary, ec);
        return failed;
    }
    // The rename itself lasts once the folder's entry is on disk.
    if (!sync_folder(path.parent_path())) return errno_error("cannot sync " + path.parent_path().string());
    return true;
}

}  // namespace shoal
