#include "swarm/piece_writer.hpp"

#include <algorithm>
#include <utility>

#include "crypto/hasher.hpp"
#include "storage/piece_hasher.hpp"

namespace shoal {

namespace {

// Whether a piece's hashes prove it: as the torrent says, or, for a piece whose v2 layer the
// torrent did not carry, by a hybrid's v1 hash or a piece hash fetched from peers.
bool proven(const TorrentInfo& info, std::size_t piece, const PieceHashes& hashes,
            const std::optional<Sha256Hash>& fetched_hash) {
    const PieceCheck check = check_piece(info, static_cast<std::int64_t>(piece), hashes);
    return check == PieceCheck::good ||
           (check == PieceCheck::needs_file_root && (info.has_v1() || (fetched_hash && hashes.v2 == fetched_hash)));
}

}  // namespace

PieceWriter::PieceWriter(RunOnDisk run_on_disk, OnOutcome on_outcome, std::size_t max_piece_in_memory)
    : run_on_disk_(std::move(run_on_disk)),
      on_outcome_(std::move(on_outcome)),
      max_piece_in_memory_(max_piece_in_memory) {}

void PieceWriter::store_block(const wire::BlockRequest& block, std::string_view data, const Address& sender,
                              const PieceShape& shape) {
    const bool to_disk = shape.size > max_piece_in_memory_;
    PieceInFlight& f = in_flight_[block.piece];
    if (f.senders.empty()) {
        f.size = shape.size;
        f.senders.resize(shape.blocks);
        if (!to_disk) f.data.reset(new char[f.size]);
    }
    f.senders[block.begin / wire::k_block_size] = sender;
    if (to_disk) {
        write_block_now(block, data, shape);
    } else {
        std::copy(data.begin(), data.end(), f.data.get() + block.begin);
    }
}

void PieceWriter::write_block_now(const wire::BlockRequest& block, std::string_view data, const PieceShape& shape) {
    ++in_flight_[block.piece].writes_pending;
    ++writing_;
    run_on_disk_(
        [storage = shape.storage, at = shape.offset + block.begin, bytes = std::string(data)] {
            Verdict written;
            if (auto ok = storage->write(at, bytes); !ok) written.write_error = ok.error().message;
            return written;
        },
        [this, piece = static_cast<std::size_t>(block.piece)](Verdict written) {
            block_written(piece, written.write_error);
            disk_job_done();
        });
}

void PieceWriter::block_written(std::size_t piece, const std::optional<std::string>& write_error) {
    auto it = in_flight_.find(piece);
    if (it == in_flight_.end()) return;  // given up meanwhile
    PieceInFlight& f = it->second;
    --f.writes_pending;
    if (write_error && !f.write_error) f.write_error = write_error;
    if (f.complete && f.writes_pending == 0) check_written_piece(piece);
}

void PieceWriter::check_written_piece(std::size_t piece) {
    auto it = in_flight_.find(piece);
    auto written = std::make_shared<PieceInFlight>(std::move(it->second));
    in_flight_.erase(it);
    if (written->write_error) {
        Verdict failed;
        failed.write_error = written->write_error;
        return judge(piece, failed, written->senders);
    }
    const bool want_block_hashes = blame_.wants_block_hashes(piece);
    ++writing_;
    run_on_disk_(
        [written, piece, want_block_hashes] {
            return check_on_disk(*written->info, *written->storage, piece, written->fetched_hash, want_block_hashes);
        },
        [this, written, piece](Verdict verdict) {
            judge(piece, verdict, written->senders);
            disk_job_done();
        });
}

void PieceWriter::disk_job_done() {
    if (--writing_ == 0) {
        for (auto& then : std::exchange(waiting_for_writes_, {})) then();
    }
}

void PieceWriter::piece_complete(std::size_t piece, std::shared_ptr<const TorrentInfo> info,
                                 std::shared_ptr<TorrentStorage> storage, std::optional<Sha256Hash> fetched_hash) {
    auto it = in_flight_.find(piece);
    if (it == in_flight_.end()) return;
    if (!it->second.data) {
        PieceInFlight& f = it->second;
        f.complete = true;
        f.info = std::move(info);
        f.storage = std::move(storage);
        f.fetched_hash = fetched_hash;
        if (f.writes_pending == 0) check_written_piece(piece);
        return;
    }
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
            judge(piece, verdict, buffered->senders);
            disk_job_done();
        });
}

void PieceWriter::when_written(std::function<void()> then) {
    if (writing_ == 0) return then();
    waiting_for_writes_.push_back(std::move(then));
}

PieceWriter::Verdict PieceWriter::check_and_write(const TorrentInfo& info, TorrentStorage& storage, std::size_t piece,
                                                  std::span<const char> bytes,
                                                  const std::optional<Sha256Hash>& fetched_hash,
                                                  bool want_block_hashes) {
    PieceHasher hasher(info, info.has_v1(), info.has_v2());
    Verdict verdict;
    verdict.good = proven(info, piece, hasher.hash(static_cast<std::int64_t>(piece), bytes), fetched_hash);
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

PieceWriter::Verdict PieceWriter::check_on_disk(const TorrentInfo& info, TorrentStorage& storage, std::size_t piece,
                                                const std::optional<Sha256Hash>& fetched_hash,
                                                bool want_block_hashes) {
    PieceHasher hasher(info, info.has_v1(), info.has_v2());
    const auto index = static_cast<std::int64_t>(piece);
    const PieceHashes hashes =
        hasher.hash(index, [&](std::int64_t offset, std::span<char> out) { return storage.read(offset, out); });
    Verdict verdict;
    verdict.good = proven(info, piece, hashes, fetched_hash);
    if (!verdict.good || want_block_hashes) {
        const std::int64_t start = index * info.piece_length;
        const std::int64_t size = info.piece_size(index);
        std::string block(wire::k_block_size, '\0');
        for (std::int64_t at = 0; at < size; at += static_cast<std::int64_t>(wire::k_block_size)) {
            const auto n = static_cast<std::size_t>(std::min<std::int64_t>(wire::k_block_size, size - at));
            if (storage.read(start + at, {block.data(), n}).status != ReadStatus::ok) std::fill_n(block.data(), n, '\0');
            verdict.block_hashes.push_back(sha1({block.data(), n}));
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

std::size_t PieceWriter::bytes_in_memory() const {
    std::size_t total = 0;
    for (const auto& [piece, f] : in_flight_) total += f.data ? f.size : 0;
    return total;
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
