// Two files of one torrent must never share a name on disk: both would be written into one
// file, the last write winning, and each would still verify against the other's pieces.

#include <string>
#include <unordered_map>
#include <unordered_set>

#include "metainfo/file_lists.hpp"
#include "metainfo/path_rules.hpp"

namespace shoal::detail {
namespace {

// The folder part of a path, case folded and joined with '/' (which no component holds).
std::string folder_key(const std::vector<std::string>& path) {
    std::string key;
    for (std::size_t i = 0; i + 1 < path.size(); ++i) {
        key += fold_case(path[i]);
        key += '/';
    }
    return key;
}

}  // namespace

void make_paths_unique(std::vector<FileEntry>& files) {
    // Every folder first, so a file never takes a folder's name: the file is renamed instead.
    std::unordered_set<std::string> taken;
    for (const auto& f : files) {
        if (f.pad) continue;
        std::string key;
        for (std::size_t i = 0; i + 1 < f.path.size(); ++i) {
            key += fold_case(f.path[i]);
            taken.insert(key);
            key += '/';
        }
    }
    // Then each file's own name where it is the first to claim it, so no renamed file can
    // take the name of one that comes later.
    std::vector<std::size_t> clashing;
    for (std::size_t i = 0; i < files.size(); ++i) {
        if (files[i].pad) continue;
        if (!taken.insert(folder_key(files[i].path) + fold_case(files[i].path.back())).second) {
            clashing.push_back(i);
        }
    }
    // The next number to try for each clashing name, so a thousand copies cost no more than
    // a thousand tries.
    std::unordered_map<std::string, unsigned> next_number;
    for (const std::size_t i : clashing) {
        std::string& name = files[i].path.back();
        const std::string folder = folder_key(files[i].path);
        const auto [stem, ext] = split_extension(name);
        unsigned& n = next_number[folder + fold_case(name)];
        std::string renamed;
        do {
            renamed = fit_name(stem, "." + std::to_string(++n) + std::string(ext));
        } while (!taken.insert(folder + fold_case(renamed)).second);
        name = std::move(renamed);
    }
}

}  // namespace shoal::detail
