#pragma once
// Collects a torrent's info dictionary from peers (BEP 9, for magnet links): which 16 KiB
// pieces are missing, who was asked for which, and whether the result hashes to the magnet's
// info-hash (v1 SHA-1 and/or v2 SHA-256 of the same bytes).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "metainfo/torrent_info.hpp"
#include "util/result.hpp"
#include "wire/ut_metadata.hpp"

namespace shoal::wire {

class MetadataAssembler {
  public:
    // The caller's name for a peer (a connection id); the assembler never looks inside.
    using PeerKey = std::uint64_t;

    enum class Status { accepted, complete, hash_mismatch };
    struct Outcome {
        Status status = Status::accepted;
        // hash_mismatch: every peer that delivered a piece of the bad metadata, once each.
        // Only a single contributor is proven to have lied: after a mismatch from several,
        // the assembler takes every piece of each later attempt from one peer alone.
        std::vector<PeerKey> contributors;
    };

    // `metadata_size` as the first peer announced it; at least one info-hash is required.
    // Data from peers that announced another size is refused by on_data (total_size differs).
    static Result<MetadataAssembler> create(std::int64_t metadata_size,
                                            std::optional<InfoHashV1> v1,
                                            std::optional<InfoHashV2> v2,
                                            const MetadataLimits& limits = {});

    // A missing piece nobody has been asked for, now recorded as asked of `peer`. After a
    // mismatch from several peers, only the peer that holds the current attempt is given any.
    bool one_source() const { return one_source_; }
    // A missing piece nobody has been asked for, now recorded as asked of `peer`.
    std::optional<std::uint32_t> pick_piece(PeerKey peer);
    // `peer` rejected (or will not answer) `piece`: another peer may be asked for it.
    void on_reject(PeerKey peer, std::uint32_t piece);
    // `peer` left or timed out: its outstanding requests go back to the pool.
    void release_peer(PeerKey peer);
    // A data piece from `peer`. Errors for pieces not asked of that peer, already held, or of
    // the wrong size or total size; completing the last piece checks the hash.
    Result<Outcome> on_data(PeerKey peer, const MetadataMessage& message);

    std::int64_t metadata_size() const { return size_; }
    std::uint32_t piece_count() const { return static_cast<std::uint32_t>(pieces_.size()); }
    std::uint32_t pieces_received() const { return received_; }
    bool complete() const { return complete_; }
    // The verified info dictionary, once complete() (empty before).
    const std::string& metadata() const { return complete_ ? buffer_ : empty_; }

  private:
    struct PieceState {
        std::optional<PeerKey> asked;  // who has an outstanding request for it
        std::optional<PeerKey> from;   // who delivered it
    };

    MetadataAssembler(std::int64_t size, std::optional<InfoHashV1> v1,
                      std::optional<InfoHashV2> v2);
    bool hashes_match() const;
    void reset();

    std::int64_t size_ = 0;
    std::optional<InfoHashV1> v1_;
    std::optional<InfoHashV2> v2_;
    std::vector<PieceState> pieces_;
    std::string buffer_;
    std::uint32_t received_ = 0;
    bool complete_ = false;
    bool one_source_ = false;
    std::optional<PeerKey> source_;  // who holds the current attempt, in one-source mode
    std::string empty_;
};

}  // namespace shoal::wire
