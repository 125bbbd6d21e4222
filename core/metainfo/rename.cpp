#include "metainfo/rename.hpp"

#include <algorithm>

#include "metainfo/path_rules.hpp"

namespace shoal {

Result<TorrentInfo> with_file_renamed(TorrentInfo torrent, std::size_t file, std::string_view name) {
    if (file >= torrent.files.size() || torrent.files[file].pad) return make_error("no such file in this torrent");
    if (auto why = unsafe_component(name)) return make_error("cannot rename to '" + std::string(name) + "': " + *why);
    FileEntry& entry = torrent.files[file];
    std::vector<std::string> wanted = entry.path;
    wanted.back() = std::string(name);
    if (wanted == entry.path) return torrent;
    const auto same_name = [](const std::string& a, const std::string& b) { return fold_case(a) == fold_case(b); };
    const bool taken = std::any_of(torrent.files.begin(), torrent.files.end(), [&](const FileEntry& f) {
        // A folder of that name counts too: the new path must not run into another file's. Case
        // is ignored, as the save folder may be on a file system that ignores it.
        return &f != &entry && f.path.size() >= wanted.size() &&
               std::equal(wanted.begin(), wanted.end(), f.path.begin(), same_name);
    });
    if (taken) return make_error("'" + std::string(name) + "' is already taken in that folder");
    entry.path = std::move(wanted);
    if (!torrent.multi_file) torrent.name = entry.path.back();
    return torrent;
}

TorrentInfo with_files_renamed(TorrentInfo torrent, const std::map<std::size_t, std::string>& names,
                               std::vector<std::string>* refused) {
    for (const auto& [file, name] : names) {
        auto renamed = with_file_renamed(torrent, file, name);
        if (renamed) {
            torrent = std::move(*renamed);
        } else if (refused) {
            refused->push_back(renamed.error().message);
        }
    }
    return torrent;
}

}  // namespace shoal
