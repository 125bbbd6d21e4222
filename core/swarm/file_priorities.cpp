#include "swarm/file_priorities.hpp"

#include <algorithm>

namespace shoal {

std::pair<std::size_t, std::size_t> pieces_of_file(const TorrentInfo& t, std::size_t file) {
    const FileEntry& f = t.files[file];
    return {static_cast<std::size_t>(f.offset / t.piece_length),
            static_cast<std::size_t>((f.offset + f.size - 1) / t.piece_length)};
}

std::vector<int> piece_priorities(const TorrentInfo& t, const std::vector<int>& file_priorities) {
    std::vector<int> out(static_cast<std::size_t>(t.num_pieces), 0);
    for (std::size_t f = 0; f < t.files.size(); ++f) {
        if (t.files[f].pad || t.files[f].size == 0) continue;
        const int priority = f < file_priorities.size() ? file_priorities[f] : 4;
        const auto [first, last] = pieces_of_file(t, f);
        for (std::size_t p = first; p <= last; ++p) out[p] = std::max(out[p], priority);
    }
    return out;
}

}  // namespace shoal
