#include "swarm/piece_layer_fetcher.hpp"

#include <algorithm>

namespace shoal {

namespace {

bool same_request(const wire::HashRequest& a, const wire::HashRequest& b) {
    return a.pieces_root == b.pieces_root && a.base_layer == b.base_layer && a.index == b.index &&
           a.length == b.length && a.proof_layers == b.proof_layers;
}

}  // namespace

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

void PieceLayerFetcher::peer_ready(Peer peer) { asks_.emplace(peer, PeerAsks{}); }

void PieceLayerFetcher::peer_gone(Peer peer) {
    layers_.peer_gone(peer);
    asks_.erase(peer);
}

void PieceLayerFetcher::expire(Clock::time_point now) {
    for (auto& entry : asks_) {
        const Peer peer = entry.first;
        auto& asks = entry.second;
        std::erase_if(asks.open, [&](const Ask& ask) {
            if (ask.deadline > now) return false;
            layers_.on_reject(peer, ask.request);
            asks.refused = true;
            asks.timed_out.push_back(ask.request);
            return true;
        });
    }
}

void PieceLayerFetcher::request(Clock::time_point now, const Send& send) {
    expire(now);
    if (layers_.complete()) return;
    for (auto& [peer, asks] : asks_) {
        while (!asks.refused && asks.open.size() < static_cast<std::size_t>(k_requests_per_peer)) {
            auto request = layers_.next_request(peer);
            if (!request) return;
            send(peer, *request);
            asks.open.push_back({*request, now + k_request_timeout});
        }
    }
}

Result<std::vector<std::size_t>> PieceLayerFetcher::on_hashes(Peer peer, const wire::Hashes& hashes) {
    if (auto it = asks_.find(peer); it != asks_.end()) {
        auto& asks = it->second;
        const auto answered = [&](const wire::HashRequest& r) { return same_request(r, hashes.request); };
        if (auto late = std::find_if(asks.timed_out.begin(), asks.timed_out.end(), answered);
            late != asks.timed_out.end()) {
            // Its chunk may be asked of someone else by now; the answer proves nothing wrong.
            asks.timed_out.erase(late);
            return std::vector<std::size_t>{};
        }
        std::erase_if(asks.open, [&](const Ask& ask) { return answered(ask.request); });
    }
    auto accepted = layers_.on_hashes(peer, hashes);
    if (!accepted) return accepted.error();
    if (!*accepted) return std::vector<std::size_t>{};
    return pieces_of(**accepted);
}

void PieceLayerFetcher::on_reject(Peer peer, const wire::HashRequest& request) {
    layers_.on_reject(peer, request);
    if (auto it = asks_.find(peer); it != asks_.end()) {
        it->second.refused = true;
        std::erase_if(it->second.open, [&](const Ask& ask) { return same_request(ask.request, request); });
    }
}

}  // namespace shoal
