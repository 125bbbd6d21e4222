#include "storage/beneath.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <set>

namespace shoal {

int open_parent_beneath(const std::filesystem::path& save_dir, const std::vector<std::string>& parts, bool create) {
    int dir = ::open(save_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    for (std::size_t i = 0; dir >= 0 && i + 1 < parts.size(); ++i) {
        if (create && ::mkdirat(dir, parts[i].c_str(), 0755) != 0 && errno != EEXIST) {
            const int saved = errno;
            ::close(dir);
            errno = saved;
            return -1;
        }
        const int next = ::openat(dir, parts[i].c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        const int saved = errno;
        ::close(dir);
        errno = saved;
        dir = next;
    }
    return dir;
}

int open_beneath(const std::filesystem::path& save_dir, const std::vector<std::string>& parts, bool create,
                 std::int64_t size) {
    const int dir = open_parent_beneath(save_dir, parts, create);
    if (dir < 0) return -1;
    const int flags = create ? O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC : O_RDONLY | O_NOFOLLOW | O_CLOEXEC;
    const int fd = ::openat(dir, parts.back().c_str(), flags, 0644);
    const int saved = errno;
    ::close(dir);
    errno = saved;
    if (fd >= 0 && create) {
        struct stat st {};
        if (::fstat(fd, &st) != 0 || (st.st_size < size && ::ftruncate(fd, size) != 0)) {
            const int failed = errno;
            ::close(fd);
            errno = failed;
            return -1;
        }
    }
    return fd;
}

void remove_beneath(const std::filesystem::path& save_dir, const TorrentInfo& torrent) {
    for (const auto& f : torrent.files) {
        if (f.pad || f.path.empty()) continue;
        const int dir = open_parent_beneath(save_dir, f.path, false);
        if (dir < 0) continue;  // not there, or reached only through a symlink
        ::unlinkat(dir, f.path.back().c_str(), 0);
        ::close(dir);
    }
    remove_empty_folders_beneath(save_dir, torrent);
}

void remove_empty_folders_beneath(const std::filesystem::path& save_dir, const TorrentInfo& torrent) {
    // Every folder the files lie in, as its path components.
    std::set<std::vector<std::string>> folders;
    for (const auto& f : torrent.files) {
        if (f.pad || f.path.empty()) continue;
        for (std::size_t depth = 1; depth < f.path.size(); ++depth) {
            folders.emplace(f.path.begin(), f.path.begin() + static_cast<std::ptrdiff_t>(depth));
        }
    }
    std::vector<std::vector<std::string>> deepest_first(folders.begin(), folders.end());
    std::stable_sort(deepest_first.begin(), deepest_first.end(),
                     [](const auto& a, const auto& b) { return a.size() > b.size(); });
    for (const auto& folder : deepest_first) {
        const int dir = open_parent_beneath(save_dir, folder, false);
        if (dir < 0) continue;
        // Fails, as it should, for a folder that is not empty or is a symlink.
        ::unlinkat(dir, folder.back().c_str(), AT_REMOVEDIR);
        ::close(dir);
    }
}

}  // namespace shoal
