#pragma once
// Which blocks to ask a peer for: partial pieces first, then by priority and rarity (random
// among equals, random for the first few pieces), optionally in order; endgame at the end.

#include <functional>
#include <unordered_map>
#include <vector>

#include "swarm/bitfield.hpp"
#include "wire/messages.hpp"
#include "util/small_random.hpp"

namespace shoal {

class PiecePicker {
public:
    static constexpr int k_random_first_pieces = 4;

    PiecePicker(std::int64_t num_pieces, std::int64_t piece_length, std::int64_t total_size);

    // Availability: how many connected peers have each piece.
    void add_peer_pieces(const Bitfield& pieces);
    void remove_peer_pieces(const Bitfield& pieces);
    void add_peer_piece(std::size_t piece);

    // 0 skips a piece; higher is picked earlier. Default 4.
    void set_priority(std::size_t piece, int priority);
    int priority(std::size_t piece) const { return priority_[piece]; }
    void set_sequential(bool on) { sequential_ = on; }
    // A blocked piece is still wanted but not started: its hashes are not known yet.
    void set_blocked(std::size_t piece, bool blocked) { blocked_[piece] = blocked; }
    // Caps how many pieces are in progress or being checked at once: their blocks are held
    // in memory, so this bounds memory and pauses downloading when the disk falls behind.
    // A partial piece that no connected peer has does not count: it cannot be finished now,
    // and must not keep others from starting.
    void set_max_partial(std::size_t n) { max_partial_ = n; }
    // Partial pieces no connected peer has, beyond `keep` of them (the fewest blocks in first):
    // forgotten, so that their memory can be freed. Returns the pieces given up.
    std::vector<std::size_t> abandon_stranded(std::size_t keep);

    // Up to `max` blocks to request from a peer that has `peer_has`. `already_asked` tells
    // whether this peer has a block outstanding (endgame may ask several peers for one block).
    std::vector<wire::BlockRequest> pick(const Bitfield& peer_has, std::size_t max,
                                         const std::function<bool(const wire::BlockRequest&)>& already_asked);

    // A block arrived: false if it was not wanted (unknown, duplicate). `piece_done` is set
    // when every block of the piece is in.
    bool block_received(const wire::BlockRequest& block, bool& piece_done);
    // A request was rejected, cancelled or lost with its peer: the block can be picked again.
    void abort_request(const wire::BlockRequest& block);
    // A received block of a piece still in progress is not to be trusted (its sender was
    // banned): it is asked for again.
    void discard_block(std::size_t piece, std::size_t block);
    void piece_passed(std::size_t piece);
    void piece_failed(std::size_t piece);
    void set_have(std::size_t piece);

    bool have(std::size_t piece) const { return have_.test(piece); }
    // Bytes of the pieces wanted or had (a skipped piece counts once had), and of those had:
    // kept as priorities and pieces change, so that a large library's figures cost nothing
    // to report every second.
    std::int64_t wanted_bytes() const { return wanted_bytes_; }
    std::int64_t had_bytes() const { return had_bytes_; }
    const Bitfield& have_pieces() const { return have_; }
    bool wanted(std::size_t piece) const { return priority_[piece] > 0 && !have_.test(piece); }
    // Every piece with a priority above zero is in.
    bool finished() const;
    bool in_endgame() const { return endgame_; }
    // No piece in progress or being checked and no source counted: nothing that a picker
    // made anew from the same priorities and pieces would not have (the endgame flag is only
    // what the last pick() found, and pick() finds it again).
    bool idle() const;
    std::uint32_t block_length(std::size_t piece, std::size_t block) const;
    std::size_t blocks_in(std::size_t piece) const;

private:
    std::int64_t piece_bytes(std::size_t piece) const;
    enum class BlockState : std::uint8_t { open, requested, received };
    struct Partial {
        std::vector<BlockState> blocks;
        std::size_t open = 0;
        std::size_t received = 0;
    };

    bool can_start(std::size_t piece, const Bitfield& peer_has) const;
    // Pieces in progress that count against max_partial_.
    std::size_t pieces_in_progress() const;
    std::optional<std::size_t> choose_new_piece(const Bitfield& peer_has);
    void take_open_blocks(std::size_t piece, Partial& p, std::size_t max,
                          std::vector<wire::BlockRequest>& out);

    std::int64_t num_pieces_;
    std::int64_t piece_length_;
    std::int64_t total_size_;
    Bitfield have_;
    std::vector<int> availability_;
    std::vector<int> priority_;
    std::vector<bool> blocked_;
    std::unordered_map<std::size_t, Partial> partial_;
    // Pieces whose blocks are all in, being hashed and written.
    std::unordered_map<std::size_t, bool> finishing_;
    std::size_t max_partial_ = 64;
    bool sequential_ = false;
    bool endgame_ = false;
    std::int64_t wanted_bytes_ = 0;
    std::int64_t had_bytes_ = 0;
    SmallRandom rng_;
};

}  // namespace shoal
