#pragma once
// Where a GetRight-style web seed (BEP 19) keeps each of a torrent's files.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "metainfo/torrent_info.hpp"
#include "util/result.hpp"

namespace shoal::web_seed {

// Refuses what is not an http or https URL a request could go to (no fragment, at most
// 4,096 bytes); the error says why.
Result<Done> check_seed_url(std::string_view url);


// Whether `url` may join a torrent's `seeds`: a seed's URL (check_seed_url), not there yet,
// and room left.
Result<Done> check_new_seed(const std::vector<std::string>& seeds, std::string_view url);

// The URL of `file` on the seed at `seed` (checked by check_seed_url). A URL ending in "/"
// is a folder: the torrent's name and, for a multi-file torrent, the file's path below it are
// appended, each segment percent-encoded. A single-file torrent's seed URL without the slash
// is the file itself. A multi-file torrent's is taken as a folder all the same.
std::string file_url(std::string_view seed, const TorrentInfo& info, std::size_t file);

// `segment` with every byte outside RFC 3986's unreserved set written as %XX.
std::string percent_encode_segment(std::string_view segment);

}  // namespace shoal::web_seed
