#include "swarm/piece_layer_fetcher.hpp"

#include <algorithm>

namespace shoal {

PieceLayerFetcher::PieceLayerFetcher(const TorrentInfo& torrent, bool fetch_missing)
    : torrent_(torrent), layers_(torrent, fetch_missing) {}

std::vector<std::size_t> PieceLayerFetcher::pieces_of(std::size_t file) const {
    const TorrentInfo& t = torrent_;
    const auto first = static_cast<std::size_t>(t.files[file].offset / t.piece_length);
    const auto last = static_cast<std::size_t>((t.files[file].offset + t.files[file].size - 1) / t.piece_length);
    std::vector<std::size_t> out;
    for (std::size_t p = first; p <= last; ++p) out.push_back(p);
    return out;
}

std::vector<std::size_t> PieceLayerFetcher::pieces_without_hashes() const {
    std::vector<std::size_t> out;
    for (std::size_t f = 0; f < torrent_.files.size(); ++f) {
        if (!layers_.missing(f)) continue;
        const auto pieces = pieces_of(f);
        out.insert(out.end(), pieces.begin(), pieces.end());
    }
    return out;
}

std::optional<Sha256Hash> PieceLayerFetcher::fetched_piece_hash(std::size_t piece) const {
    const TorrentInfo& t = torrent_;
    const std::int64_t start = static_cast<std::int64_t>(piece) * t.piece_length;
    // v2 files start on piece boundaries, so the piece lies in the last file starting at or before it.
    auto it = std::upper_bound(t.files.begin(), t.files.end(), start,
                               [](std::int64_t offset, const FileEntry& f) { return offset < f.offset; });
    while (it != t.files.begin()) {
        --it;
        if (it->pad || it->size == 0) continue;
        const auto file = static_cast<std::size_t>(it - t.files.begin());
        const auto& layer = layers_.layer(file);
        if (!it->piece_layer.empty() || layer.empty()) return std::nullopt;
        const auto index = static_cast<std::size_t>((start - it->offset) / t.piece_length);
        return index < layer.size() ? std::optional(layer[index]) : std::nullopt;
    }
    return std::nullopt;
}

void PieceLayerFetcher::peer_ready(Peer peer) { asks_.emplace(peer, 0); }

void PieceLayerFetcher::peer_gone(Peer peer) {
    layers_.peer_gone(peer);
    asks_.erase(peer);
}

void PieceLayerFetcher::request(const Send& send) {
    if (layers_.complete()) return;
    for (auto& [peer, asked] : asks_) {
        while (asked >= 0 && asked < k_requests_per_peer) {
            auto request = layers_.next_request(peer);
            if (!request) return;
            send(peer, *request);
            ++asked;
        }
    }
}

Result<std::vector<std::size_t>> PieceLayerFetcher::on_hashes(Peer peer, const wire::Hashes& hashes) {
    if (auto it = asks_.find(peer); it != asks_.end() && it->second > 0) --it->second;
    auto accepted = layers_.on_hashes(peer, hashes);
    if (!accepted) return accepted.error();
    if (!*accepted) return std::vector<std::size_t>{};
    return pieces_of(**accepted);
}

void PieceLayerFetcher::on_reject(Peer peer, const wire::HashRequest& request) {
    layers_.on_reject(peer, request);
    if (auto it = asks_.find(peer); it != asks_.end()) it->second = -1;
}

}  // namespace shoal
