#include "session/torrent_pieces.hpp"

#include <algorithm>
#include <boost/asio/post.hpp>

#include "swarm/file_priorities.hpp"

namespace shoal {

TorrentPieces::TorrentPieces(std::shared_ptr<const TorrentInfo> info, Options options, DiskPool& disk,
                             boost::asio::any_io_executor executor, OnChecked on_checked)
    : info_(std::move(info)),
      options_(options),
      disk_(disk),
      executor_(std::move(executor)),
      on_checked_(std::move(on_checked)),
      picker_(info_->num_pieces, info_->piece_length, info_->total_size),
      layer_fetcher_(info_->has_v2() ? std::make_unique<PieceLayerFetcher>(*info_, !info_->has_v1()) : nullptr) {}

PieceWriter& TorrentPieces::writer() {
    if (!writer_) {
        writer_ = std::make_unique<PieceWriter>(
            [this](auto work, auto done) { run_on_disk(std::move(work), std::move(done)); },
            [this](std::size_t piece, const auto& outcome) { on_outcome(piece, outcome); },
            static_cast<std::size_t>(std::max<std::int64_t>(0, options_.memory_budget)));
    }
    return *writer_;
}

TorrentPieces::~TorrentPieces() { *alive_ = false; }

std::size_t TorrentPieces::max_partial_pieces() const {
    return static_cast<std::size_t>(std::max<std::int64_t>(1, options_.memory_budget / info_->piece_length));
}

void TorrentPieces::reset(const std::vector<int>& file_priorities) {
    picker_ = PiecePicker(info_->num_pieces, info_->piece_length, info_->total_size);
    picker_.set_sequential(options_.sequential);
    picker_.set_max_partial(max_partial_pieces());
    set_file_priorities(file_priorities);
    if (layer_fetcher_) {
        for (const std::size_t p : layer_fetcher_->pieces_without_hashes()) picker_.set_blocked(p, true);
    }
    if (writer_) writer_->drop_all();
}

void TorrentPieces::set_file_priorities(const std::vector<int>& file_priorities) {
    if (file_priorities.empty()) return;
    const auto priorities = piece_priorities(*info_, file_priorities);
    for (std::size_t p = 0; p < priorities.size(); ++p) picker_.set_priority(p, priorities[p]);
}

void TorrentPieces::add_checked(const std::vector<std::uint8_t>& good) {
    for (std::size_t i = 0; i < good.size(); ++i) {
        if (good[i]) picker_.set_have(i);
    }
}

bool TorrentPieces::add_block(const wire::BlockRequest& block, std::string_view data, const Address& sender,
                              std::shared_ptr<TorrentStorage> storage) {
    bool piece_done = false;
    if (!picker_.block_received(block, piece_done)) return false;
    writer().store_block(block, data, sender,
                        {static_cast<std::size_t>(info_->piece_size(block.piece)), picker_.blocks_in(block.piece),
                         static_cast<std::int64_t>(block.piece) * info_->piece_length, storage});
    if (piece_done) {
        writer_->piece_complete(block.piece, info_, std::move(storage),
                               layer_fetcher_ ? layer_fetcher_->fetched_piece_hash(block.piece) : std::nullopt);
    }
    return true;
}

void TorrentPieces::discard_blocks_from(const Address& sender) {
    if (!writer_) return;
    for (const auto& [piece, block] : writer_->blocks_from(sender)) picker_.discard_block(piece, block);
}

void TorrentPieces::abandon_stranded() {
    for (const std::size_t piece : picker_.abandon_stranded(max_partial_pieces())) {
        if (writer_) writer_->drop(piece);
    }
}

void TorrentPieces::run_on_disk(PieceWriter::DiskWork work, PieceWriter::DiskDone done) {
    disk_.post([work = std::move(work), done = std::move(done), alive = alive_, executor = executor_] {
        boost::asio::post(executor, [alive, done, verdict = work()] {
            if (*alive) done(verdict);
        });
    });
}

void TorrentPieces::on_outcome(std::size_t piece, const PieceWriter::Outcome& outcome) {
    if (outcome.kind == PieceWriter::Outcome::Kind::passed) {
        picker_.piece_passed(piece);
    } else {
        // Every block of the piece is asked for again, from whoever has it.
        picker_.piece_failed(piece);
    }
    on_checked_(piece, outcome);
}

void TorrentPieces::request_layers(Clock::time_point now) {
    if (!layer_fetcher_) return;
    layer_fetcher_->request(now, [](void* peer, const wire::HashRequest& request) {
        static_cast<PeerConnection*>(peer)->send_hash_request(request);
    });
}

Result<bool> TorrentPieces::on_hashes(PeerConnection& peer, const wire::Hashes& hashes) {
    if (!layer_fetcher_) return make_error("hashes for a torrent without v2 files");
    auto checkable = layer_fetcher_->on_hashes(&peer, hashes);
    if (!checkable) return checkable.error();
    for (const std::size_t p : *checkable) picker_.set_blocked(p, false);
    return !checkable->empty();
}

}  // namespace shoal
