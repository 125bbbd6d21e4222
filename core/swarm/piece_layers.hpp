#pragma once
// BEP 52 piece layers on the wire: answering peers' hash requests from the layers we know,
// and, for files whose layer the torrent did not carry, asking peers for it in chunks and
// accepting each chunk only when its proof leads to the file's root.

#include <map>
#include <optional>
#include <vector>

#include "metainfo/torrent_info.hpp"
#include "wire/messages.hpp"

namespace shoal {

class PieceLayers {
public:
    // Most hashes one request may ask for (BEP 52's advice), and so the size of our chunks.
    static constexpr std::uint32_t k_max_request_hashes = 512;

    // With `fetch_missing` false (a hybrid, whose v1 hashes suffice) nothing is fetched.
    explicit PieceLayers(const TorrentInfo& torrent, bool fetch_missing = true);

    // The hashes (base layer slice, then uncles) answering `request`, or nullopt to reject:
    // unknown root or layer, only the piece layer is served, bounds per BEP 52.
    std::optional<std::vector<Sha256Hash>> answer(const wire::HashRequest& request);

    // Files (indices into the torrent's list) whose piece layer is still missing.
    bool missing(std::size_t file) const { return fetches_.contains(file); }
    bool complete() const { return fetches_.empty(); }
    // The file's piece layer, empty while missing.
    const std::vector<Sha256Hash>& layer(std::size_t file) const { return layers_[file]; }

    // A chunk nobody is asked for yet, now marked as asked of `peer`.
    std::optional<wire::HashRequest> next_request(const void* peer);
    // A peer's answer: the file whose layer became complete with it, if any. Errors say why
    // the hashes were refused (the chunk is asked of someone else later).
    Result<std::optional<std::size_t>> on_hashes(const void* peer, const wire::Hashes& hashes);
    // A rejected request, or a peer gone with requests open: those chunks are free again.
    void on_reject(const void* peer, const wire::HashRequest& request);
    void peer_gone(const void* peer);

private:
    struct Shape {
        int piece_height = 0;      // the piece layer's height above the 16 KiB leaves
        std::uint32_t width = 0;   // the piece layer padded to a power of two
        std::size_t real = 0;      // pieces the file really has
    };
    struct Fetch {
        Shape shape;
        std::vector<bool> chunk_done;
        std::vector<const void*> chunk_peer;
        std::size_t chunks_left = 0;
    };

    std::optional<Shape> shape_of(std::size_t file) const;
    std::uint32_t chunk_length(const Shape& shape) const;
    // The layer with its padding and every layer above it, built once per file on demand.
    const std::vector<std::vector<Sha256Hash>>& tree(std::size_t file, const Shape& shape);

    const TorrentInfo& torrent_;
    std::vector<std::vector<Sha256Hash>> layers_;
    std::map<Sha256Hash, std::size_t> files_by_root_;
    std::map<std::size_t, Fetch> fetches_;
    std::map<std::size_t, std::vector<std::vector<Sha256Hash>>> trees_;
};

}  // namespace shoal
