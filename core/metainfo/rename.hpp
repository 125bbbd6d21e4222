#pragma once
// Renaming a torrent's file on our side: the torrent stays the same (hashes, pieces), only the
// name its data is kept under changes.

#include <string_view>

#include "metainfo/torrent_info.hpp"
#include "util/result.hpp"

namespace shoal {

// `torrent` with the last path component of file `file` replaced by `name`. Refused: an index
// out of range, a pad file, an unsafe name, or one another file of that folder already has.
Result<TorrentInfo> with_file_renamed(TorrentInfo torrent, std::size_t file, std::string_view name);

}  // namespace shoal
