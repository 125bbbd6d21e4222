#pragma once
// Renaming a torrent's file on our side: the torrent stays the same (hashes, pieces), only the
// name its data is kept under changes.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "metainfo/torrent_info.hpp"
#include "util/result.hpp"

namespace shoal {

// `torrent` with the last path component of file `file` replaced by `name`. Refused: an index
// out of range, a pad file, an unsafe name, or one another file of that folder already has
// (ignoring case).
Result<TorrentInfo> with_file_renamed(TorrentInfo torrent, std::size_t file, std::string_view name);

// `torrent` with every rename in `names` (file index: new name) that is allowed; each refused
// one is left out and its reason added to `refused`.
TorrentInfo with_files_renamed(TorrentInfo torrent, const std::map<std::size_t, std::string>& names,
                               std::vector<std::string>* refused = nullptr);

}  // namespace shoal
