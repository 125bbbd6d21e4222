#include "swarm/piece_picker.hpp"

#include <algorithm>

namespace shoal {

using wire::BlockRequest;
using wire::k_block_size;

PiecePicker::PiecePicker(std::int64_t num_pieces, std::int64_t piece_length, std::int64_t total_size)
    : num_pieces_(num_pieces),
      piece_length_(piece_length),
      total_size_(total_size),
      have_(static_cast<std::size_t>(num_pieces)),
      availability_(static_cast<std::size_t>(num_pieces), 0),
      priority_(static_cast<std::size_t>(num_pieces), 4),
      blocked_(static_cast<std::size_t>(num_pieces), false),
      wanted_bytes_(num_pieces > 0 ? total_size : 0) {}

std::int64_t PiecePicker::piece_bytes(std::size_t piece) const {
    return std::min(piece_length_, total_size_ - static_cast<std::int64_t>(piece) * piece_length_);
}

void PiecePicker::add_peer_pieces(const Bitfield& pieces) {
    for (std::size_t i = 0; i < availability_.size(); ++i) {
        if (pieces.test(i)) ++availability_[i];
    }
}

void PiecePicker::remove_peer_pieces(const Bitfield& pieces) {
    for (std::size_t i = 0; i < availability_.size(); ++i) {
        if (pieces.test(i) && availability_[i] > 0) --availability_[i];
    }
}

void PiecePicker::add_peer_piece(std::size_t piece) {
    if (piece < availability_.size()) ++availability_[piece];
}

void PiecePicker::set_priority(std::size_t piece, int priority) {
    if (piece >= priority_.size()) return;
    const bool counted = priority_[piece] != 0 || have_.test(piece);
    priority_[piece] = std::clamp(priority, 0, 7);
    const bool counts = priority_[piece] != 0 || have_.test(piece);
    if (counted != counts) wanted_bytes_ += counts ? piece_bytes(piece) : -piece_bytes(piece);
}

std::size_t PiecePicker::blocks_in(std::size_t piece) const {
    const std::int64_t size =
        std::min(piece_length_, total_size_ - static_cast<std::int64_t>(piece) * piece_length_);
    return static_cast<std::size_t>((size + k_block_size - 1) / k_block_size);
}

std::uint32_t PiecePicker::block_length(std::size_t piece, std::size_t block) const {
    const std::int64_t size =
        std::min(piece_length_, total_size_ - static_cast<std::int64_t>(piece) * piece_length_);
    const std::int64_t begin = static_cast<std::int64_t>(block) * k_block_size;
    return static_cast<std::uint32_t>(std::min<std::int64_t>(k_block_size, size - begin));
}

bool PiecePicker::finished() const {
    for (std::size_t i = 0; i < priority_.size(); ++i) {
        if (wanted(i)) return false;
    }
    return true;
}

bool PiecePicker::idle() const {
    return partial_.empty() && finishing_.empty() &&
           std::all_of(availability_.begin(), availability_.end(), [](int n) { return n == 0; });
}

bool PiecePicker::can_start(std::size_t piece, const Bitfield& peer_has) const {
    return wanted(piece) && !blocked_[piece] && peer_has.test(piece) && !partial_.contains(piece) &&
           !finishing_.contains(piece);
}

std::optional<std::size_t> PiecePicker::choose_new_piece(const Bitfield& peer_has) {
    const auto n = static_cast<std::size_t>(num_pieces_);
    if (n == 0) return std::nullopt;
    if (sequential_) {
        int best_priority = 0;
        std::optional<std::size_t> best;
        for (std::size_t i = 0; i < n; ++i) {
            if (can_start(i, peer_has) && priority_[i] > best_priority) {
                best = i;
                best_priority = priority_[i];
            }
        }
        return best;
    }
    // Scan from a random place so peers with equal choices spread over different pieces.
    const std::size_t start = std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_);
    const bool random_first = have_.count() < static_cast<std::size_t>(k_random_first_pieces);
    std::optional<std::size_t> best;
    for (std::size_t k = 0; k < n; ++k) {
        const std::size_t i = (start + k) % n;
        if (!can_start(i, peer_has)) continue;
        if (random_first) return i;
        if (!best || priority_[i] > priority_[*best] ||
            (priority_[i] == priority_[*best] && availability_[i] < availability_[*best])) {
            best = i;
        }
    }
    return best;
}

void PiecePicker::take_open_blocks(std::size_t piece, Partial& p, std::size_t max,
                                   std::vector<BlockRequest>& out) {
    for (std::size_t b = 0; b < p.blocks.size() && out.size() < max; ++b) {
        if (p.blocks[b] != BlockState::open) continue;
        p.blocks[b] = BlockState::requested;
        --p.open;
        out.push_back({static_cast<std::uint32_t>(piece), static_cast<std::uint32_t>(b * k_block_size),
                       block_length(piece, b)});
    }
}

std::vector<BlockRequest> PiecePicker::pick(const Bitfield& peer_has, std::size_t max,
                                            const std::function<bool(const BlockRequest&)>& already_asked) {
    std::vector<BlockRequest> out;
    // Finish what is started before starting more: fewer pieces in memory, sooner shared.
    for (auto& [piece, p] : partial_) {
        if (out.size() >= max) return out;
        if (p.open > 0 && peer_has.test(piece)) take_open_blocks(piece, p, max, out);
    }
    while (out.size() < max && pieces_in_progress() < max_partial_) {
        const auto piece = choose_new_piece(peer_has);
        if (!piece) break;
        Partial& p = partial_[*piece];
        p.blocks.assign(blocks_in(*piece), BlockState::open);
        p.open = p.blocks.size();
        take_open_blocks(*piece, p, max, out);
    }
    if (!out.empty()) return out;
    // Endgame: nothing left to start, so ask this peer too for blocks others still owe us.
    bool anything_to_start = false;
    for (std::size_t i = 0; i < have_.size() && !anything_to_start; ++i) {
        anything_to_start = wanted(i) && !partial_.contains(i) && !finishing_.contains(i);
    }
    endgame_ = !anything_to_start;
    if (!endgame_) return out;
    for (auto& [piece, p] : partial_) {
        if (!peer_has.test(piece)) continue;
        for (std::size_t b = 0; b < p.blocks.size() && out.size() < max; ++b) {
            if (p.blocks[b] != BlockState::requested) continue;
            BlockRequest r{static_cast<std::uint32_t>(piece), static_cast<std::uint32_t>(b * k_block_size),
                           block_length(piece, b)};
            if (!already_asked(r)) out.push_back(r);
        }
    }
    return out;
}

std::size_t PiecePicker::pieces_in_progress() const {
    std::size_t n = finishing_.size();
    for (const auto& [piece, p] : partial_) {
        if (availability_[piece] > 0) ++n;
    }
    return n;
}

std::vector<std::size_t> PiecePicker::abandon_stranded(std::size_t keep) {
    std::vector<std::pair<std::size_t, std::size_t>> stranded;  // (blocks received, piece)
    for (const auto& [piece, p] : partial_) {
        if (availability_[piece] == 0) stranded.emplace_back(p.received, piece);
    }
    std::vector<std::size_t> out;
    if (stranded.size() <= keep) return out;
    std::sort(stranded.begin(), stranded.end());
    for (std::size_t i = 0; i < stranded.size() - keep; ++i) {
        partial_.erase(stranded[i].second);
        out.push_back(stranded[i].second);
    }
    return out;
}

bool PiecePicker::block_received(const BlockRequest& block, bool& piece_done) {
    piece_done = false;
    auto it = partial_.find(block.piece);
    if (it == partial_.end() || block.begin % k_block_size != 0) return false;
    Partial& p = it->second;
    const std::size_t b = block.begin / k_block_size;
    if (b >= p.blocks.size() || block.length != block_length(block.piece, b) ||
        p.blocks[b] == BlockState::received) {
        return false;
    }
    if (p.blocks[b] == BlockState::open) --p.open;
    p.blocks[b] = BlockState::received;
    ++p.received;
    if (p.received == p.blocks.size()) {
        piece_done = true;
        partial_.erase(it);
        finishing_[block.piece] = true;
    }
    return true;
}

void PiecePicker::abort_request(const BlockRequest& block) {
    auto it = partial_.find(block.piece);
    if (it == partial_.end()) return;
    const std::size_t b = block.begin / k_block_size;
    Partial& p = it->second;
    if (b < p.blocks.size() && p.blocks[b] == BlockState::requested) {
        p.blocks[b] = BlockState::open;
        ++p.open;
    }
}

void PiecePicker::discard_block(std::size_t piece, std::size_t block) {
    auto it = partial_.find(piece);
    if (it == partial_.end()) return;
    Partial& p = it->second;
    if (block < p.blocks.size() && p.blocks[block] == BlockState::received) {
        p.blocks[block] = BlockState::open;
        --p.received;
        ++p.open;
    }
}

void PiecePicker::piece_passed(std::size_t piece) {
    finishing_.erase(piece);
    set_have(piece);
}

void PiecePicker::piece_failed(std::size_t piece) {
    finishing_.erase(piece);
    partial_.erase(piece);
}

void PiecePicker::set_have(std::size_t piece) {
    if (!have_.test(piece)) {
        if (priority_[piece] == 0) wanted_bytes_ += piece_bytes(piece);
        had_bytes_ += piece_bytes(piece);
        have_.set(piece);
    }
    partial_.erase(piece);
}

}  // namespace shoal
