#include "swarm/piece_layers.hpp"

#include <algorithm>
#include <bit>

#include "crypto/merkle.hpp"

namespace shoal {

namespace {

// Deeper than any tree a torrent within the parser's limits can have.
constexpr std::uint32_t k_max_proof_layers = 64;

bool same_request(const wire::HashRequest& a, const wire::HashRequest& b) {
    return a.pieces_root == b.pieces_root && a.base_layer == b.base_layer && a.index == b.index &&
           a.length == b.length && a.proof_layers == b.proof_layers;
}

}  // namespace

PieceLayers::PieceLayers(const TorrentInfo& torrent, bool fetch_missing)
    : torrent_(torrent), layers_(torrent.files.size()) {
    for (std::size_t f = 0; f < torrent.files.size(); ++f) {
        const FileEntry& file = torrent.files[f];
        if (!file.pieces_root || file.size <= torrent.piece_length) continue;
        files_by_root_.emplace(*file.pieces_root, f);
        layers_[f] = file.piece_layer;
        if (!layers_[f].empty() || !fetch_missing) continue;
        Fetch fetch;
        fetch.shape = *shape_of(f);
        const std::uint32_t length = chunk_length(fetch.shape);
        // Chunks that hold only padding need not be asked for.
        const std::size_t chunks = (fetch.shape.real + length - 1) / length;
        fetch.chunk_done.assign(chunks, false);
        fetch.chunk_peer.assign(chunks, nullptr);
        fetch.chunks_left = chunks;
        fetches_.emplace(f, std::move(fetch));
    }
}

std::optional<PieceLayers::Shape> PieceLayers::shape_of(std::size_t file) const {
    const FileEntry& f = torrent_.files[file];
    if (!f.pieces_root || f.size <= torrent_.piece_length) return std::nullopt;
    const auto blocks = static_cast<std::uint64_t>((f.size + k_merkle_block_size - 1) / k_merkle_block_size);
    Shape s;
    s.piece_height = log2_exact(static_cast<std::uint64_t>(torrent_.piece_length / k_merkle_block_size));
    s.width = static_cast<std::uint32_t>(next_power_of_two(blocks) >> s.piece_height);
    s.real = static_cast<std::size_t>((f.size + torrent_.piece_length - 1) / torrent_.piece_length);
    return s;
}

std::uint32_t PieceLayers::chunk_length(const Shape& shape) const {
    return std::min(shape.width, k_max_request_hashes);
}

const std::vector<std::vector<Sha256Hash>>& PieceLayers::tree(std::size_t file, const Shape& shape) {
    auto it = trees_.find(file);
    if (it != trees_.end()) return it->second;
    std::vector<std::vector<Sha256Hash>> levels;
    levels.push_back(layers_[file]);
    levels.back().resize(shape.width, merkle_pad(shape.piece_height));
    while (levels.back().size() > 1) {
        const auto& below = levels.back();
        std::vector<Sha256Hash> up(below.size() / 2);
        for (std::size_t i = 0; i < up.size(); ++i) up[i] = merkle_parent(below[2 * i], below[2 * i + 1]);
        levels.push_back(std::move(up));
    }
    return trees_.emplace(file, std::move(levels)).first->second;
}

std::optional<std::vector<Sha256Hash>> PieceLayers::answer(const wire::HashRequest& r) {
    auto found = files_by_root_.find(r.pieces_root);
    if (found == files_by_root_.end() || missing(found->second)) return std::nullopt;
    const Shape shape = *shape_of(found->second);
    if (r.base_layer != static_cast<std::uint32_t>(shape.piece_height)) return std::nullopt;
    if (r.length < 2 || r.length > k_max_request_hashes || !std::has_single_bit(r.length)) return std::nullopt;
    if (r.index % r.length != 0 || r.index >= shape.width || shape.width - r.index < r.length) return std::nullopt;
    if (r.proof_layers > k_max_proof_layers) return std::nullopt;

    const auto& levels = tree(found->second, shape);
    std::vector<Sha256Hash> out(levels[0].begin() + r.index, levels[0].begin() + r.index + r.length);
    // The first log2(length) - 1 proof layers lie inside the requested range and are left out.
    const int k = std::countr_zero(r.length);
    const auto wanted = static_cast<int>(r.proof_layers) - (k - 1);
    std::size_t node = r.index >> k;
    for (int level = k; level < static_cast<int>(levels.size()) - 1 && level - k < wanted; ++level) {
        out.push_back(levels[static_cast<std::size_t>(level)][node ^ 1]);
        node >>= 1;
    }
    return out;
}

std::optional<wire::HashRequest> PieceLayers::next_request(const void* peer) {
    for (auto& [file, fetch] : fetches_) {
        for (std::size_t c = 0; c < fetch.chunk_done.size(); ++c) {
            if (fetch.chunk_done[c] || fetch.chunk_peer[c]) continue;
            fetch.chunk_peer[c] = peer;
            const std::uint32_t length = chunk_length(fetch.shape);
            wire::HashRequest r{};
            r.pieces_root = *torrent_.files[file].pieces_root;
            r.base_layer = static_cast<std::uint32_t>(fetch.shape.piece_height);
            r.index = static_cast<std::uint32_t>(c) * length;
            r.length = length;
            // Enough proof to reach the root.
            r.proof_layers = static_cast<std::uint32_t>(std::countr_zero(fetch.shape.width) - 1);
            return r;
        }
    }
    return std::nullopt;
}

Result<std::optional<std::size_t>> PieceLayers::on_hashes(const void* peer, const wire::Hashes& h) {
    auto found = files_by_root_.find(h.request.pieces_root);
    if (found == files_by_root_.end()) return make_error("hashes for a file this torrent does not have");
    auto fetch_it = fetches_.find(found->second);
    if (fetch_it == fetches_.end()) return std::optional<std::size_t>{};  // known already
    Fetch& fetch = fetch_it->second;
    const std::uint32_t length = chunk_length(fetch.shape);
    const std::size_t chunk = h.request.index / length;
    wire::HashRequest expected{};
    expected.pieces_root = h.request.pieces_root;
    expected.base_layer = static_cast<std::uint32_t>(fetch.shape.piece_height);
    expected.index = static_cast<std::uint32_t>(chunk) * length;
    expected.length = length;
    expected.proof_layers = static_cast<std::uint32_t>(std::countr_zero(fetch.shape.width) - 1);
    if (chunk >= fetch.chunk_peer.size() || fetch.chunk_peer[chunk] != peer || !same_request(expected, h.request)) {
        return make_error("hashes that were not asked for");
    }
    fetch.chunk_peer[chunk] = nullptr;

    const int k = std::countr_zero(length);
    const auto uncles = static_cast<std::size_t>(std::countr_zero(fetch.shape.width) - k);
    if (h.hashes.size() != (length + uncles) * Sha256Hash::size) return make_error("hashes of the wrong length");
    std::vector<Sha256Hash> hashes;
    for (std::size_t i = 0; i < length + uncles; ++i) {
        hashes.push_back(*Sha256Hash::from_bytes(h.hashes.substr(i * Sha256Hash::size, Sha256Hash::size)));
    }
    Sha256Hash node = merkle_root(std::span(hashes).first(length), merkle_pad(fetch.shape.piece_height), length);
    std::size_t position = expected.index >> k;
    for (std::size_t u = 0; u < uncles; ++u) {
        const Sha256Hash& uncle = hashes[length + u];
        node = position % 2 == 0 ? merkle_parent(node, uncle) : merkle_parent(uncle, node);
        position >>= 1;
    }
    if (node != h.request.pieces_root) return make_error("hashes that do not lead to the file's root");

    std::vector<Sha256Hash>& layer = layers_[found->second];
    layer.resize(fetch.shape.real);
    const std::size_t first = expected.index;
    for (std::size_t i = 0; i < length && first + i < fetch.shape.real; ++i) layer[first + i] = hashes[i];
    if (!fetch.chunk_done[chunk]) {
        fetch.chunk_done[chunk] = true;
        --fetch.chunks_left;
    }
    if (fetch.chunks_left > 0) return std::optional<std::size_t>{};
    const std::size_t file = found->second;
    fetches_.erase(fetch_it);
    return std::optional<std::size_t>{file};
}

void PieceLayers::on_reject(const void* peer, const wire::HashRequest& request) {
    auto found = files_by_root_.find(request.pieces_root);
    if (found == files_by_root_.end()) return;
    auto fetch = fetches_.find(found->second);
    if (fetch == fetches_.end()) return;
    const std::size_t chunk = request.index / chunk_length(fetch->second.shape);
    if (chunk < fetch->second.chunk_peer.size() && fetch->second.chunk_peer[chunk] == peer) {
        fetch->second.chunk_peer[chunk] = nullptr;
    }
}

void PieceLayers::peer_gone(const void* peer) {
    for (auto& [file, fetch] : fetches_) {
        std::replace(fetch.chunk_peer.begin(), fetch.chunk_peer.end(), peer, static_cast<const void*>(nullptr));
    }
}

}  // namespace shoal
