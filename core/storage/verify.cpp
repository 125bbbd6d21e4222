#include "storage/verify.hpp"

#include <sys/stat.h>

#include <deque>
#include <optional>

#include "crypto/merkle.hpp"
#include "storage/parallel_pieces.hpp"
#include "storage/piece_hasher.hpp"

namespace shoal {
namespace {

std::vector<FileProblem> check_files(const TorrentInfo& t, const PieceReader& reader) {
    std::vector<FileProblem> problems;
    for (std::size_t i = 0; i < t.files.size(); ++i) {
        const FileEntry& f = t.files[i];
        if (f.pad || f.symlink) continue;
        struct stat st {};
        if (::stat(reader.file_path(i).c_str(), &st) != 0) {
            problems.push_back({i, FileProblem::Kind::missing, f.size, 0});
        } else if (!S_ISREG(st.st_mode)) {
            problems.push_back({i, FileProblem::Kind::unreadable, f.size, 0});
        } else if (st.st_size != f.size) {
            problems.push_back({i, FileProblem::Kind::wrong_size, f.size, st.st_size});
        }
    }
    return problems;
}

// A v2 file larger than one piece whose torrent carried no piece layer: its pieces can only
// be checked together, against the file's root.
bool needs_whole_file_check(const FileEntry& f, std::int64_t piece_length) {
    return f.pieces_root && f.size > piece_length && f.piece_layer.empty();
}

}  // namespace

std::string_view to_string(FileProblem::Kind kind) {
    switch (kind) {
        case FileProblem::Kind::missing: return "missing";
        case FileProblem::Kind::wrong_size: return "wrong size";
        case FileProblem::Kind::unreadable: return "not a regular file";
    }
    return "unknown";
}

VerifyReport verify_torrent(const TorrentInfo& t, const std::filesystem::path& save_dir,
                            const VerifyOptions& options) {
    VerifyReport report;
    report.num_pieces = t.num_pieces;
    PieceReader reader(save_dir, t);
    report.file_problems = check_files(t, reader);

    const unsigned threads = options.threads ? options.threads : default_thread_count();
    std::atomic<std::int64_t> bytes_done{0};
    std::deque<PieceHasher> hashers;
    for (unsigned i = 0; i < threads; ++i) {
        hashers.emplace_back(t, t.has_v1(), t.has_v2());
    }
    std::vector<std::uint8_t> good(static_cast<std::size_t>(t.num_pieces), 0);
    std::vector<Sha256Hash> v2_roots(static_cast<std::size_t>(t.num_pieces));

    for_each_piece(
        t.num_pieces, threads,
        [&](std::int64_t piece, unsigned worker) {
            const PieceHashes h = hashers[worker].hash(piece, reader, &bytes_done);
            const auto index = static_cast<std::size_t>(piece);
            if (h.v2) v2_roots[index] = *h.v2;
            const PieceCheck check = check_piece(t, piece, h);
            // Pieces of a file without a piece layer are settled by the file root below.
            const bool ok = check != PieceCheck::bad;
            good[index] = ok ? 1 : 0;
        },
        [&] {
            if (options.progress) options.progress(bytes_done.load(), t.total_size);
        },
        options.cancel);

    const Sha256Hash layer_pad = t.has_v2() ? merkle_pad(log2_exact(t.piece_length / k_merkle_block_size))
                                            : Sha256Hash{};
    for (const FileEntry& f : t.files) {
        if (!needs_whole_file_check(f, t.piece_length)) continue;
        const auto first = static_cast<std::size_t>(f.offset / t.piece_length);
        const auto count = static_cast<std::size_t>((f.size + t.piece_length - 1) / t.piece_length);
        std::span<const Sha256Hash> layer(v2_roots.data() + first, count);
        if (merkle_root(layer, layer_pad) != *f.pieces_root) {
            std::fill_n(good.begin() + static_cast<std::ptrdiff_t>(first), count, 0);
        }
    }
    for (std::size_t i = 0; i < good.size(); ++i) {
        if (good[i]) {
            ++report.good_pieces;
        } else {
            report.bad_pieces.push_back(static_cast<std::int64_t>(i));
        }
    }
    return report;
}

}  // namespace shoal
