#include "control/state_files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

namespace fs = std::filesystem;

namespace shoal::control {
namespace {

// Writes and syncs a new file; false with errno set.
bool write_synced(const fs::path& path, const std::string& bytes) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return false;
    bool ok = true;
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

void sync_folder(const fs::path& folder) {
    const int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    ::fsync(fd);
    ::close(fd);
}

}  // namespace

ControlResult<> write_file_atomically(const fs::path& path, const std::string& bytes) {
    const fs::path temporary = path.string() + ".new";
    if (!write_synced(temporary, bytes)) {
        const std::string why = std::strerror(errno);
        std::error_code ignored;
        fs::remove(temporary, ignored);
        return control_error(ControlErrc::storage_failed, "cannot write " + temporary.string() + ": " + why);
    }
    std::error_code ec;
    fs::rename(temporary, path, ec);
    if (ec) {
        fs::remove(temporary, ec);
        return control_error(ControlErrc::storage_failed, "cannot replace " + path.string() + ": " + ec.message());
    }
    sync_folder(path.parent_path());
    return Done{};
}

ControlResult<std::string> read_small_file(const fs::path& path, std::uintmax_t max_bytes) {
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    if (ec) return control_error(ControlErrc::corrupt_state, path.string() + ": " + ec.message());
    if (size > max_bytes) return control_error(ControlErrc::corrupt_state, path.string() + ": larger than expected");
    std::ifstream in(path, std::ios::binary);
    std::string bytes{std::istreambuf_iterator<char>(in), {}};
    if (!in && !in.eof()) return control_error(ControlErrc::corrupt_state, path.string() + ": cannot be read");
    return bytes;
}

}  // namespace shoal::control
