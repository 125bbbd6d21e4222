#include "web_seed/file_spans.hpp"

#include <algorithm>
#include <stdexcept>

namespace shoal::web_seed {

std::vector<FileSpan> file_spans(const TorrentInfo& info, std::int64_t offset, std::int64_t length) {
    if (offset < 0 || length < 0 || offset + length > info.total_size)
        throw std::out_of_range("file_spans: the stretch is outside the torrent");
    std::vector<FileSpan> spans;
    // The first file that ends after `offset`.
    auto it = std::upper_bound(info.files.begin(), info.files.end(), offset,
                               [](std::int64_t at, const FileEntry& f) { return at < f.offset + f.size; });
    const std::int64_t end = offset + length;
    for (; it != info.files.end() && it->offset < end; ++it) {
        if (it->size == 0) continue;
        const std::int64_t from = std::max(offset, it->offset);
        const std::int64_t to = std::min(end, it->offset + it->size);
        spans.push_back({static_cast<std::size_t>(it - info.files.begin()), from - it->offset, to - from, it->pad});
    }
    return spans;
}

}  // namespace shoal::web_seed
