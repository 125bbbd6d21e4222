#include "wire/metadata_assembler.hpp"

#include <algorithm>
#include <cstring>

#include "crypto/hasher.hpp"

namespace shoal::wire {

Result<MetadataAssembler> MetadataAssembler::create(std::int64_t metadata_size,
                                                    std::optional<InfoHashV1> v1,
                                                    std::optional<InfoHashV2> v2,
                                                    const MetadataLimits& limits) {
    if (!v1 && !v2)
        return make_error("metadata cannot be checked without an info-hash");
    auto size = check_metadata_size(metadata_size, limits);
    if (!size)
        return size.error();
    return MetadataAssembler(*size, v1, v2);
}

MetadataAssembler::MetadataAssembler(std::int64_t size, std::optional<InfoHashV1> v1,
                                     std::optional<InfoHashV2> v2)
    : size_(size),
      v1_(v1),
      v2_(v2),
      pieces_(metadata_piece_count(size)),
      buffer_(static_cast<std::size_t>(size), '\0') {}

std::optional<std::uint32_t> MetadataAssembler::pick_piece(PeerKey peer) {
    if (complete_ || (one_source_ && source_ && *source_ != peer))
        return std::nullopt;
    if (one_source_)
        source_ = peer;
    for (std::uint32_t i = 0; i < pieces_.size(); ++i) {
        auto& p = pieces_[i];
        if (!p.from && !p.asked) {
            p.asked = peer;
            return i;
        }
    }
    return std::nullopt;
}

void MetadataAssembler::on_reject(PeerKey peer, std::uint32_t piece) {
    if (piece < pieces_.size() && pieces_[piece].asked == peer)
        pieces_[piece].asked.reset();
}

void MetadataAssembler::release_peer(PeerKey peer) {
    if (one_source_ && source_ == peer) {
        // Its attempt ends with it: the next peer starts from nothing, alone.
        reset();
        return;
    }
    for (auto& p : pieces_) {
        if (p.asked == peer)
            p.asked.reset();
    }
}

Result<MetadataAssembler::Outcome> MetadataAssembler::on_data(PeerKey peer,
                                                              const MetadataMessage& message) {
    if (complete_)
        return make_error("metadata is already complete");
    if (message.type != MetadataType::data)
        return make_error("not a ut_metadata data message");
    if (message.total_size != size_) {
        return make_error("peer sent total_size " + std::to_string(message.total_size) +
                          ", expected " + std::to_string(size_));
    }
    if (message.piece >= pieces_.size()) {
        return make_error("metadata piece " + std::to_string(message.piece) + " does not exist");
    }
    auto& p = pieces_[message.piece];
    if (p.from)
        return make_error("metadata piece " + std::to_string(message.piece) + " already received");
    if (p.asked != peer) {
        return make_error("metadata piece " + std::to_string(message.piece) +
                          " was not requested from this peer");
    }
    const auto expected = metadata_piece_size(size_, message.piece);
    if (static_cast<std::int64_t>(message.data.size()) != expected) {
        return make_error("metadata piece " + std::to_string(message.piece) + " has " +
                          std::to_string(message.data.size()) + " bytes, expected " +
                          std::to_string(expected));
    }

    std::memcpy(buffer_.data() + std::int64_t{message.piece} * k_metadata_piece_size,
                message.data.data(), message.data.size());
    p.asked.reset();
    p.from = peer;
    if (++received_ < pieces_.size())
        return Outcome{};

    if (hashes_match()) {
        complete_ = true;
        return Outcome{Status::complete, {}};
    }
    Outcome bad{Status::hash_mismatch, {}};
    for (const auto& piece : pieces_)
        bad.contributors.push_back(*piece.from);
    std::sort(bad.contributors.begin(), bad.contributors.end());
    bad.contributors.erase(std::unique(bad.contributors.begin(), bad.contributors.end()),
                           bad.contributors.end());
    if (bad.contributors.size() > 1)
        one_source_ = true;
    reset();
    return bad;
}

bool MetadataAssembler::hashes_match() const {
    if (v1_ && sha1(buffer_).view() != v1_->view())
        return false;
    if (v2_ && sha256(buffer_).view() != v2_->view())
        return false;
    return true;
}

void MetadataAssembler::reset() {
    for (auto& p : pieces_)
        p = PieceState{};
    received_ = 0;
    source_.reset();
    std::fill(buffer_.begin(), buffer_.end(), '\0');
}

}  // namespace shoal::wire
