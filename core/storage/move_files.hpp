#pragma once
// Moving a torrent's files from one save folder to another: each file renamed when both lie on
// one filesystem, else copied and flushed; the originals of copies are deleted only once every
// copy is complete and durable. On any failure what was moved goes back and the copies made
// are deleted, so the torrent's data is whole in the old folder. Paths are walked one
// component at a time without following symlinks (storage/beneath), so nothing outside either
// folder is touched, and no file already in the new folder is ever replaced. On a disk thread,
// with the torrent's files closed and nothing writing them.

#include <filesystem>

#include "metainfo/torrent_info.hpp"
#include "util/result.hpp"

namespace shoal {

enum class MoveMethod {
    rename_or_copy,  // rename, and copy the files a rename cannot move (another filesystem)
    copy,            // copy every file (what a move across filesystems does)
};

// Moves the torrent's files that exist under `from` (pad and symlink entries aside) to the
// same paths under `to`, which is made if missing. Moving a folder to itself does nothing.
// The error names the path that failed.
Result<bool> move_files(const TorrentInfo& torrent, const std::filesystem::path& from,
                        const std::filesystem::path& to, MoveMethod method = MoveMethod::rename_or_copy);

}  // namespace shoal
