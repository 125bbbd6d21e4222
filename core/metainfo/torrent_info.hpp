#pragma once
// What a .torrent file (v1, v2 or hybrid) describes, after validation.

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "crypto/digest.hpp"
#include "util/result.hpp"

namespace shoal {

struct InfoHashV1Tag;
struct InfoHashV2Tag;
using InfoHashV1 = Digest<20, InfoHashV1Tag>;
using InfoHashV2 = Digest<32, InfoHashV2Tag>;

// The 20 bytes a swarm goes by where a protocol has room for no more (the handshake, trackers,
// the DHT, LSD): a v1 info-hash, or the first 20 bytes of a v2 one (BEP 52).
struct SwarmHashTag;
using SwarmHash = Digest<20, SwarmHashTag>;
inline SwarmHash swarm_hash(const InfoHashV1& v1) { return SwarmHash{v1.bytes}; }
inline SwarmHash swarm_hash(const InfoHashV2& v2) {
    SwarmHash truncated;
    std::copy_n(v2.bytes.begin(), truncated.bytes.size(), truncated.bytes.begin());
    return truncated;
}

using Tier = std::vector<std::string>;

// A torrent's trackers at most, counted over all its tiers, and the longest tracker URL: what
// a .torrent file's announce-list keeps (the rest is left out), as many as a magnet link may
// name (MagnetLimits::max_entries), and what an edit may make (control/tracker_tiers). The
// length is a web seed's (web_seed::check_seed_url).
inline constexpr std::size_t k_max_trackers = 200;
inline constexpr std::size_t k_max_tracker_url_bytes = 4096;
// A torrent's web seeds at most (BEP 19 url-list): the first ones are kept, as for trackers.
inline constexpr std::size_t k_max_web_seeds = 64;

struct FileEntry {
    // Components relative to the save folder; for multi-file torrents the first is the
    // torrent's name. Every component was checked to stay inside the save folder.
    std::vector<std::string> path;
    std::int64_t size = 0;
    // Position in the torrent's byte stream (pad files included).
    std::int64_t offset = 0;
    bool pad = false;
    bool executable = false;
    bool hidden = false;
    // Symlinks carry no data; `symlink_target` is relative to the torrent's top folder.
    bool symlink = false;
    std::vector<std::string> symlink_target;
    // v2: merkle root of the file's 16 KiB blocks (absent for empty files and pads), and the
    // piece layer when the torrent carried one (files larger than one piece only).
    std::optional<Sha256Hash> pieces_root;
    std::vector<Sha256Hash> piece_layer;

    std::string joined_path() const;
};

struct TorrentInfo {
    std::string name;
    std::int64_t piece_length = 0;
    std::int64_t total_size = 0;  // pad files included
    std::int64_t num_pieces = 0;
    std::vector<FileEntry> files;
    bool multi_file = false;  // files live under a top folder named `name`

    std::optional<InfoHashV1> info_hash_v1;
    std::optional<InfoHashV2> info_hash_v2;
    // Where the v1 piece hashes (20 bytes a piece, in order) stand in info_bytes: a large
    // torrent's hashes are kept once, not parsed out beside the bytes they come from.
    std::size_t v1_hashes_at = 0;

    bool is_private = false;
    std::vector<Tier> trackers;
    std::vector<std::string> web_seeds;
    std::string comment;
    std::string created_by;
    std::string source;
    std::optional<std::int64_t> creation_date;

    // The exact bytes of the info dictionary, as hashed.
    std::string info_bytes;

    bool has_v1() const { return info_hash_v1.has_value(); }
    bool has_v2() const { return info_hash_v2.has_value(); }
    std::int64_t piece_size(std::int64_t piece) const;
    // The v1 hash of `piece`, for a torrent with v1 hashes and 0 <= piece < num_pieces.
    Sha1Hash piece_hash_v1(std::int64_t piece) const;
};

struct TorrentLimits {
    std::size_t max_file_bytes = 64 * 1024 * 1024;  // the .torrent file itself
    std::int64_t max_pieces = 1 << 21;
    std::size_t max_files = 1'000'000;
    std::size_t max_path_depth = 64;
    std::int64_t max_piece_length = std::int64_t{1} << 30;
    std::int64_t max_total_size = std::int64_t{1} << 52;
};

// Parses and validates a .torrent file held in memory.
Result<TorrentInfo> parse_torrent(std::string_view data, const TorrentLimits& limits = {});

// Reads a .torrent file from disk (refusing files over the size limit) and parses it.
Result<TorrentInfo> load_torrent(const std::string& path, const TorrentLimits& limits = {});

}  // namespace shoal
