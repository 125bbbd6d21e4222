#include "storage/piece_hasher.hpp"

#include <algorithm>

#include "crypto/merkle.hpp"

namespace shoal {

PieceCheck check_piece(const TorrentInfo& t, std::int64_t piece, const PieceHashes& h) {
    const auto index = static_cast<std::size_t>(piece);
    if (h.read.status != ReadStatus::ok) return PieceCheck::bad;
    if (h.v1 && *h.v1 != t.piece_hash_v1(piece)) return PieceCheck::bad;
    if (!h.v2) return PieceCheck::good;
    const FileEntry& f = t.files[h.v2_file];
    if (f.size <= t.piece_length) return *h.v2 == *f.pieces_root ? PieceCheck::good : PieceCheck::bad;
    if (f.piece_layer.empty()) return PieceCheck::needs_file_root;
    const auto first = static_cast<std::size_t>(f.offset / t.piece_length);
    return *h.v2 == f.piece_layer[index - first] ? PieceCheck::good : PieceCheck::bad;
}

PieceHasher::PieceHasher(const TorrentInfo& torrent, bool v1, bool v2)
    : torrent_(torrent), v1_(v1), v2_(v2) {}

PieceHashes PieceHasher::hash(std::int64_t piece, std::span<const char> data) {
    const std::int64_t start = piece * torrent_.piece_length;
    return hash_chunks(piece, [&](std::int64_t offset, std::size_t size, std::span<const char>& out) {
        out = data.subspan(static_cast<std::size_t>(offset - start), size);
        return ReadResult{};
    });
}

PieceHashes PieceHasher::hash(std::int64_t piece, const PieceReader& reader,
                              std::atomic<std::int64_t>* bytes_done) {
    return hash(piece, [&](std::int64_t offset, std::span<char> out) {
        const ReadResult r = reader.read(offset, out, open_);
        if (bytes_done && r.status == ReadStatus::ok) bytes_done->fetch_add(static_cast<std::int64_t>(out.size()));
        return r;
    });
}

PieceHashes PieceHasher::hash(std::int64_t piece, const ChunkReader& read) {
    if (buffer_.empty()) {
        buffer_.resize(static_cast<std::size_t>(
            std::min<std::int64_t>(torrent_.piece_length, static_cast<std::int64_t>(k_chunk_size))));
    }
    return hash_chunks(piece, [&](std::int64_t offset, std::size_t size, std::span<const char>& out) {
        std::span<char> chunk(buffer_.data(), size);
        out = chunk;
        return read(offset, chunk);
    });
}

PieceHashes PieceHasher::hash_chunks(std::int64_t piece, const ChunkSource& next_chunk) {
    PieceHashes out;
    const std::int64_t start = piece * torrent_.piece_length;
    const std::int64_t size = torrent_.piece_size(piece);

    // v2 pieces never span files: the bytes of the piece's file, the rest is padding.
    std::int64_t v2_bytes = 0;
    if (v2_) {
        out.v2_file = file_at(torrent_, start);
        const FileEntry& f = torrent_.files[out.v2_file];
        if (!f.pad && f.size > 0) v2_bytes = std::min(size, f.offset + f.size - start);
    }
    leaves_.clear();
    const std::int64_t chunk_size = std::max<std::int64_t>(
        k_merkle_block_size,
        std::min<std::int64_t>(torrent_.piece_length, static_cast<std::int64_t>(k_chunk_size)));

    for (std::int64_t done = 0; done < size;) {
        const auto n = static_cast<std::size_t>(std::min(size - done, chunk_size));
        std::span<const char> chunk;
        out.read = next_chunk(start + done, n, chunk);
        if (out.read.status != ReadStatus::ok) return out;
        // Both hashes take each 16 KiB block while it is still in the L1 cache.
        for (std::size_t at = 0; at < n; at += static_cast<std::size_t>(k_merkle_block_size)) {
            const std::size_t len = std::min(n - at, static_cast<std::size_t>(k_merkle_block_size));
            if (v1_) sha1_.update({chunk.data() + at, len});
            const std::int64_t block = done + static_cast<std::int64_t>(at);
            if (block < v2_bytes) {
                const auto leaf = static_cast<std::size_t>(
                    std::min<std::int64_t>(static_cast<std::int64_t>(len), v2_bytes - block));
                leaves_.push_back(sha256_.update({chunk.data() + at, leaf}).final());
            }
        }
        done += static_cast<std::int64_t>(n);
    }
    if (v1_) out.v1 = sha1_.final();
    if (v2_bytes > 0) {
        const FileEntry& f = torrent_.files[out.v2_file];
        const std::size_t width =
            f.size <= torrent_.piece_length
                ? next_power_of_two(leaves_.size())
                : static_cast<std::size_t>(torrent_.piece_length / k_merkle_block_size);
        out.v2 = merkle_root(leaves_, Sha256Hash{}, width);
    }
    return out;
}

}  // namespace shoal
