#pragma once
// Magnet links (BEP 9, BEP 52 `btmh`, BEP 53 `so`): parse and produce.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "metainfo/torrent_info.hpp"
#include "util/result.hpp"

namespace shoal {

// An inclusive range of file indices selected with `so=`.
struct FileIndexRange {
    std::int64_t first = 0;
    std::int64_t last = 0;
    auto operator<=>(const FileIndexRange&) const = default;
};

struct MagnetLink {
    std::optional<InfoHashV1> info_hash_v1;
    std::optional<InfoHashV2> info_hash_v2;
    std::string display_name;
    std::vector<std::string> trackers;   // `tr`, each its own tier
    std::vector<std::string> web_seeds;  // `ws`
    std::vector<std::string> peers;      // `x.pe`, as HOST:PORT
    std::vector<FileIndexRange> select_only;
};

struct MagnetLimits {
    std::size_t max_length = 64 * 1024;
    std::size_t max_entries = 200;  // trackers, web seeds, peers, ranges: each
};

Result<MagnetLink> parse_magnet(std::string_view uri, const MagnetLimits& limits = {});
std::string to_uri(const MagnetLink& magnet);
// The link for a torrent: both info-hashes it has, its name, trackers and web seeds.
MagnetLink magnet_for(const TorrentInfo& torrent);

}  // namespace shoal
