#pragma once
// From the files' priorities to the pieces': a piece shared by files gets the highest.

#include <cstddef>
#include <vector>

#include "metainfo/torrent_info.hpp"

namespace shoal {

// The pieces `file` (an index into the torrent's files) lies in, first and last included;
// the file must not be empty.
std::pair<std::size_t, std::size_t> pieces_of_file(const TorrentInfo& torrent, std::size_t file);

// Per piece: the highest priority among the files it holds (0 skips, 1..7 orders); files
// beyond `file_priorities` count as 4, pieces of pad files and empty files alone as 0.
std::vector<int> piece_priorities(const TorrentInfo& torrent, const std::vector<int>& file_priorities);

}  // namespace shoal
