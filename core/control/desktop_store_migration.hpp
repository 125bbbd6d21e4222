#pragma once
// The desktop client kept its torrent list in a folder of its own: torrents.json (an object
// of entries keyed by id) beside copies of the .torrent files. The first run with the control
// layer reads it once into the state folder's list; the old files are left as they were.

#include <filesystem>
#include <optional>
#include <string_view>
#include <vector>

#include "util/result.hpp"
#include "control/torrent_list_store.hpp"

namespace shoal::control {

// Copies the old list from `old_folder` into `store` when the store has no list yet and the
// old index exists; how many torrents moved. Entries that cannot be read are reported in
// `problems` and skipped. An unreadable index moves nothing and leaves the store unmade, so
// the next start tries again.
std::size_t migrate_desktop_store(const std::filesystem::path& old_folder, const TorrentListStore& store,
                                  std::vector<Error>& problems);

// "2026-12-01T04:57:39" (local time), with an optional fraction and "Z" or "+hh:mm", as
// seconds since the Unix epoch; nullopt when it is not such a date.
std::optional<std::int64_t> parse_iso_date(std::string_view text);

}  // namespace shoal::control
