#pragma once
// The file-list parts of a torrent's info dictionary (v1 `files`/`length`, v2 `file tree`).

#include <vector>

#include "bencode/value.hpp"
#include "metainfo/torrent_info.hpp"

namespace shoal::detail {

struct ParsedFiles {
    std::vector<FileEntry> files;
    bool multi_file = false;
};

// A list of path components in their safe form (`sanitize_component`), those that sanitize to
// nothing left out; "_" when none is left.
Result<std::vector<std::string>> parse_path_list(const bencode::Value& list, std::string_view what,
                                                 const TorrentLimits& limits);

// Appends the safe form of `raw` to `path` unless it sanitizes to nothing.
void append_component(std::vector<std::string>& path, std::string_view raw);

// v1: `length` for one file or `files` for many; pad files (BEP 47) kept in place.
Result<ParsedFiles> parse_v1_files(const bencode::Value& info, const std::string& name,
                                   const TorrentLimits& limits);

// v2: the `file tree`, in tree order, without pad files.
Result<ParsedFiles> parse_v2_file_tree(const bencode::Value& tree, const std::string& name,
                                       const TorrentLimits& limits);

// Sets offsets and total size; with `align`, inserts pad files so every file after a
// non-empty one starts on a piece boundary (how a v2-only torrent maps onto pieces).
Result<std::int64_t> lay_out(std::vector<FileEntry>& files, std::int64_t piece_length,
                             bool align, const std::string& name, const TorrentLimits& limits);

// Hybrid: the v1 list must describe the same files as the v2 tree, each v2 file starting
// on a piece boundary. Copies the v2 roots onto the v1 entries.
Result<bool> merge_hybrid(std::vector<FileEntry>& v1, const std::vector<FileEntry>& v2,
                          std::int64_t piece_length);

// Renames files whose paths clash, ignoring ASCII case, with an earlier file's or a folder's
// (duplicate entries, or names that sanitize alike): "bar.txt" becomes "bar.1.txt", "bar.2.txt"...
// the first unused name. Pad files are never created on disk and are left alone.
void make_paths_unique(std::vector<FileEntry>& files);

// Checks each file's piece layer from the `piece layers` dictionary against its root.
Result<bool> attach_piece_layers(std::vector<FileEntry>& files, const bencode::Value* layers,
                                 std::int64_t piece_length);

}  // namespace shoal::detail
