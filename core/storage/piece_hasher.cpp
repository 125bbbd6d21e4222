#include "storage/piece_hasher.hpp"

#include <algorithm>

#include "crypto/merkle.hpp"

namespace shoal {

PieceHasher::PieceHasher(const PieceReader& reader, const TorrentInfo& torrent, bool v1, bool v2,
                         std::atomic<std::int64_t>* bytes_done)
    : reader_(reader),
      torrent_(torrent),
      v1_(v1),
      v2_(v2),
      bytes_done_(bytes_done),
      buffer_(static_cast<std::size_t>(
          std::min<std::int64_t>(torrent.piece_length, static_cast<std::int64_t>(k_chunk_size)))) {}

PieceHashes PieceHasher::hash(std::int64_t piece) {
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

    for (std::int64_t done = 0; done < size;) {
        const auto n = static_cast<std::size_t>(
            std::min<std::int64_t>(size - done, static_cast<std::int64_t>(buffer_.size())));
        std::span<char> chunk(buffer_.data(), n);
        out.read = reader_.read(start + done, chunk, open_);
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
        if (bytes_done_) bytes_done_->fetch_add(static_cast<std::int64_t>(n));
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
