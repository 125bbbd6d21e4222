#pragma once
// Hashes one piece as both formats need it: SHA-1 over the piece (v1) and the root of the
// piece's 16 KiB-leaf subtree (v2), each 16 KiB block once, while it is in cache.

#include <atomic>
#include <functional>
#include <optional>
#include <span>
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

enum class PieceCheck { good, bad, needs_file_root };

// Compares a piece's hashes with the torrent's: v1 piece hash, v2 piece layer or file root.
// `needs_file_root`: the v1 part (if any) matched but the file's piece layer is unknown.
PieceCheck check_piece(const TorrentInfo& torrent, std::int64_t piece, const PieceHashes& h);

// One per thread: it owns its hashers and, for disk reads, its buffer and open file.
class PieceHasher {
public:
    static constexpr std::size_t k_chunk_size = 1024 * 1024;

    PieceHasher(const TorrentInfo& torrent, bool v1, bool v2);

    // Hashes a piece held in memory (exactly the piece's size).
    PieceHashes hash(std::int64_t piece, std::span<const char> data);
    // Hashes a piece read from disk in bounded chunks; adds the bytes read to `bytes_done`.
    PieceHashes hash(std::int64_t piece, const PieceReader& reader,
                     std::atomic<std::int64_t>* bytes_done = nullptr);
    // Hashes a piece read in bounded chunks through `read` (a torrent's storage, say), which
    // fills `out` with the stream's bytes from `offset`.
    using ChunkReader = std::function<ReadResult(std::int64_t offset, std::span<char> out)>;
    PieceHashes hash(std::int64_t piece, const ChunkReader& read);

private:
    using ChunkSource =
        std::function<ReadResult(std::int64_t offset, std::size_t size, std::span<const char>& out)>;
    PieceHashes hash_chunks(std::int64_t piece, const ChunkSource& next_chunk);

    const TorrentInfo& torrent_;
    bool v1_;
    bool v2_;
    std::vector<char> buffer_;
    std::vector<Sha256Hash> leaves_;
    OpenFile open_;
    Sha1Hasher sha1_;
    Sha256Hasher sha256_;
};

}  // namespace shoal
