#include "swarm/piece_writer.hpp"

#include <algorithm>

#include "crypto/hasher.hpp"
#include "storage/piece_hasher.hpp"

namespace shoal {

PieceWriter::PieceWriter(RunOnDisk run_on_disk, OnOutcome on_outcome)
    : run_on_disk_(std::move(run_on_disk)), on_outcome_(std::move(on_outcome)) {}

void PieceWriter::store_block(const wire::BlockRequest& block, std::string_view data, const Address& sender,
                              std::size_t piece_size, std::size_t blocks_in_piece) {
    PieceInFlight& f = in_flight_[block.piece];
    if (!f.data) {
        f.size = piece_size;
        f.data.reset(new char[f.size]);
        f.senders.resize(blocks_in_piece);
    }
    std::copy(data.begin(), data.end(), f.data.get() + block.begin);
    f.senders[block.begin / wire::k_block_size] = sender;
}

void PieceWriter::piece_complete(std::size_t piece, std::shared_ptr<const TorrentInfo> info,
                                 std::shared_ptr<TorrentStorage> storage, std::optional<Sha256Hash> fetched_hash) {
    auto it = in_flight_.find(piece);
    if (it == in_flight_.end()) return;
    auto buffered = std::make_shared<PieceInFlight>(std::move(it->second));
    in_flight_.erase(it);
    const bool want_block_hashes = blame_.wants_block_hashes(piece);
    ++writing_;
    run_on_disk_(
        [info = std::move(info), storage = std::move(storage), buffered, piece, fetched_hash, want_block_hashes] {
            return check_and_write(*info, *storage, piece, {buffered->data.get(), buffered->size}, fetched_hash,
                                   want_block_hashes);
        },
        [this, buffered, piece](Verdict verdict) {
            --writing_;
            judge(piece, verdict, buffered->senders);
        });
}

PieceWriter::Verdict PieceWriter::check_and_write(const TorrentInfo& info, TorrentStorage& storage, std::size_t piece,
                                                  std::span<const char> bytes,
                                                  const std::optional<Sha256Hash>& fetched_hash,
                                                  bool want_block_hashes) {
    PieceHasher hasher(info, info.has_v1(), info.has_v2());
    const PieceHashes hashes = hasher.hash(static_cast<std::int64_t>(piece), bytes);
    const PieceCheck check = check_piece(info, static_cast<std::int64_t>(piece), hashes);
    Verdict verdict;
    // A hybrid's v1 hash settles a piece whose v2 layer the torrent did not carry.
    verdict.good = check == PieceCheck::good ||
                   (check == PieceCheck::needs_file_root &&
                    (info.has_v1() || (fetched_hash && hashes.v2 == fetched_hash)));
    if (verdict.good) {
        auto written = storage.write(static_cast<std::int64_t>(piece) * info.piece_length, bytes);
        if (!written) verdict.write_error = written.error().message;
    }
    if (!verdict.good || want_block_hashes) {
        for (std::size_t at = 0; at < bytes.size(); at += wire::k_block_size) {
            const std::size_t n = std::min<std::size_t>(wire::k_block_size, bytes.size() - at);
            verdict.block_hashes.push_back(sha1({bytes.data() + at, n}));
        }
    }
    return verdict;
}

void PieceWriter::judge(std::size_t piece, const Verdict& verdict, const std::vector<Address>& senders) {
    Outcome outcome;
    if (verdict.write_error) {
        outcome.kind = Outcome::Kind::write_error;
        outcome.write_error = *verdict.write_error;
    } else if (!verdict.good) {
        outcome.kind = Outcome::Kind::failed;
        if (auto sender = HashFailureBlame::sole_sender(senders)) {
            // A piece from one peer alone convicts it.
            outcome.bans.emplace_back(*sender, "sent data that failed the hash check");
        } else {
            // A mixed piece convicts nobody yet: the blocks are judged once the piece passes.
            std::vector<HashFailureBlame::Block> blocks;
            for (std::size_t b = 0; b < senders.size() && b < verdict.block_hashes.size(); ++b) {
                blocks.push_back({senders[b], verdict.block_hashes[b]});
            }
            blame_.piece_failed(piece, std::move(blocks));
        }
    } else if (!verdict.block_hashes.empty()) {
        for (const auto& liar : blame_.piece_passed(piece, verdict.block_hashes)) {
            outcome.bans.emplace_back(liar, "sent a block that differs from the verified piece");
        }
    }
    on_outcome_(piece, outcome);
}

std::vector<std::pair<std::size_t, std::size_t>> PieceWriter::blocks_from(const Address& sender) const {
    std::vector<std::pair<std::size_t, std::size_t>> out;
    for (const auto& [piece, f] : in_flight_) {
        for (std::size_t b = 0; b < f.senders.size(); ++b) {
            if (f.senders[b] == sender) out.emplace_back(piece, b);
        }
    }
    return out;
}

}  // namespace shoal
