#pragma once
// A v2 torrent of two files (one spanning many 16 KiB pieces) with and without its piece
// layers, as a .torrent file and a magnet link give it, for the piece-layer tests.

#include <string>
#include <vector>

#include "creation/create_torrent.hpp"
#include "test_files.hpp"

namespace shoal::test {

struct LayeredTorrents {
    TempDir dir;
    TorrentInfo full;
    TorrentInfo bare;  // the same, without piece layers (as from a magnet link)
    explicit LayeredTorrents(std::int64_t big_file) {
        write_file(dir.path() / "share" / "big.bin", static_cast<std::size_t>(big_file), 1);
        write_file(dir.path() / "share" / "small.bin", 5000, 2);
        CreateOptions options;
        options.format = TorrentFormat::v2;
        options.piece_length = 16384;
        full = create_torrent(dir.path() / "share", options).value().info;
        bare = full;
        for (auto& f : bare.files) f.piece_layer.clear();
    }
    // The index of the large file.
    std::size_t big() const {
        for (std::size_t i = 0; i < full.files.size(); ++i) {
            if (full.files[i].path.back() == "big.bin") return i;
        }
        return 0;
    }
};

inline std::string bytes_of(const std::vector<Sha256Hash>& hashes) {
    std::string out;
    for (const auto& h : hashes) out.append(h.view());
    return out;
}

}  // namespace shoal::test
