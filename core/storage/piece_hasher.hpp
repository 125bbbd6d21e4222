#pragma once
// Hashes one piece as both formats need it: SHA-1 over the piece (v1) and the root of the
// piece's 16 KiB-leaf subtree (v2), reading each byte once in bounded chunks.

#include <atomic>
#include <optional>
#include <vector>

#include "crypto/hasher.hpp"
#include "storage/piece_reader.hpp"

namespace shoal {

struct PieceHashes {
    ReadResult read;
    std::optional<Sha1Hash> v1;
    // v2: the subtree root of the piece, or the file's root when the file fits in one piece.
    std::optional<Sha256Hash> v2;
    std::size_t v2_file = 0;
};

// One per thread: it owns its buffer, hashers and open file.
class PieceHasher {
public:
    static constexpr std::size_t k_chunk_size = 1024 * 1024;

    PieceHasher(const PieceReader& reader, const TorrentInfo& torrent, bool v1, bool v2,
                std::atomic<std::int64_t>* bytes_done = nullptr);

    PieceHashes hash(std::int64_t piece);

private:
    const PieceReader& reader_;
    const TorrentInfo& torrent_;
    bool v1_;
    bool v2_;
    std::atomic<std::int64_t>* bytes_done_;
    std::vector<char> buffer_;
    std::vector<Sha256Hash> leaves_;
    OpenFile open_;
    Sha1Hasher sha1_;
    Sha256Hasher sha256_;
};

}  // namespace shoal
