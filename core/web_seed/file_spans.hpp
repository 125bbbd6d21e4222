#pragma once
// The files that a stretch of a torrent's byte stream lies in, for asking a web seed by file.

#include <cstddef>
#include <cstdint>
#include <vector>

#include "metainfo/torrent_info.hpp"

namespace shoal::web_seed {

struct FileSpan {
    std::size_t file = 0;      // index into TorrentInfo::files
    std::int64_t offset = 0;   // within the file
    std::int64_t length = 0;
    bool pad = false;          // a pad file: zeros, never asked for
};

// The pieces of bytes [offset, offset + length) of the torrent, in order, one per file they
// touch (empty files have none). The stretch must lie within the torrent.
std::vector<FileSpan> file_spans(const TorrentInfo& info, std::int64_t offset, std::int64_t length);

}  // namespace shoal::web_seed
