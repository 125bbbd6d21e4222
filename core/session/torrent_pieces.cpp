#include "session/torrent_pieces.hpp"

#include <algorithm>
#include <boost/asio/post.hpp>

#include "swarm/file_priorities.hpp"

namespace shoal {

TorrentPieces::TorrentPieces(std::shared_ptr<const TorrentInfo> info, Options options, DiskPool& disk,
                             boost::asio::io_context::executor_type executor, OnChecked on_checked)
    : info_(std::move(info)),
      options_(options),
      disk_(disk),
      executor_(std::move(executor)),
      on_checked_(std::move(on_checked)),
      layer_fetcher_(info_->has_v2() ? std::make_unique<PieceLayerFetcher>(*info_, !info_->has_v1()) : nullptr) {}

std::unique_ptr<PiecePicker> TorrentPieces::new_picker() const {
    auto picker = std::make_unique<PiecePicker>(info_->num_pieces, info_->piece_length, info_->total_size);
    picker->set_sequential(options_.sequential);
    picker->set_max_partial(max_partial_pieces());
    if (!file_priorities_.empty()) {
        const auto priorities = piece_priorities(*info_, file_priorities_);
        for (std::size_t p = 0; p < priorities.size(); ++p) picker->set_priority(p, priorities[p]);
    }
    if (layer_fetcher_) {
        for (const std::size_t p : layer_fetcher_->pieces_without_hashes()) picker->set_blocked(p, true);
    }
    return picker;
}

PiecePicker& TorrentPieces::picker() {
    if (!picker_) {
        picker_ = new_picker();
        if (had_all_) {
            for (std::size_t p = 0; p < num_pieces(); ++p) picker_->set_have(p);
        }
        had_all_ = false;
    }
    return *picker_;
}

void TorrentPieces::fold() {
    if (!picker_ || !picker_->have_pieces().all() || !picker_->idle()) return;
    // Only when the figures are the ones a folded torrent reports.
    if (picker_->wanted_bytes() != complete_bytes() || picker_->had_bytes() != complete_bytes()) return;
    picker_.reset();
    had_all_ = true;
}

// Without a picker and not folded, nothing is had: the figures are a new picker's, which only
// file priorities make differ from every piece wanted.
bool TorrentPieces::finished() const {
    if (picker_) return picker_->finished();
    if (had_all_ || num_pieces() == 0) return true;
    return file_priorities_.empty() ? false : unpicked().finished;
}

bool TorrentPieces::all_had() const {
    if (picker_) return picker_->have_pieces().all();
    return had_all_ || num_pieces() == 0;
}

std::int64_t TorrentPieces::wanted_bytes() const {
    if (picker_) return picker_->wanted_bytes();
    if (had_all_ || file_priorities_.empty()) return complete_bytes();
    return unpicked().wanted_bytes;
}

const TorrentPieces::Unpicked& TorrentPieces::unpicked() const {
    if (!unpicked_) {
        const auto picker = new_picker();
        unpicked_ = std::make_unique<const Unpicked>(Unpicked{picker->wanted_bytes(), picker->finished()});
    }
    return *unpicked_;
}

std::int64_t TorrentPieces::had_bytes() const {
    if (picker_) return picker_->had_bytes();
    return had_all_ ? complete_bytes() : 0;
}

std::size_t TorrentPieces::pieces_had() const {
    if (picker_) return picker_->have_pieces().count();
    return had_all_ ? num_pieces() : 0;
}

std::string TorrentPieces::have_bytes() const {
    if (picker_) return picker_->have_pieces().to_bytes();
    return Bitfield(num_pieces(), had_all_).to_bytes();
}

PieceWriter& TorrentPieces::writer() {
    if (!writer_) {
        writer_ = std::make_unique<PieceWriter>(
            [this](auto work, auto done) { run_on_disk(std::move(work), std::move(done)); },
            [this](std::size_t piece, const auto& outcome) { on_outcome(piece, outcome); },
            static_cast<std::size_t>(std::max<std::int64_t>(0, options_.memory_budget)));
    }
    return *writer_;
}

TorrentPieces::~TorrentPieces() { alive_.end(); }

std::size_t TorrentPieces::max_partial_pieces() const {
    return static_cast<std::size_t>(std::max<std::int64_t>(1, options_.memory_budget / info_->piece_length));
}

void TorrentPieces::reset(std::vector<int> file_priorities) {
    file_priorities_ = std::move(file_priorities);
    unpicked_.reset();
    picker_.reset();
    had_all_ = false;
    if (writer_) writer_->drop_all();
}

void TorrentPieces::set_file_priorities(std::vector<int> file_priorities) {
    if (file_priorities.empty()) return;
    PiecePicker& p = picker();
    file_priorities_ = std::move(file_priorities);
    const auto priorities = piece_priorities(*info_, file_priorities_);
    for (std::size_t i = 0; i < priorities.size(); ++i) p.set_priority(i, priorities[i]);
}

void TorrentPieces::add_checked(const std::vector<std::uint8_t>& good) {
    // Every piece good, with no picker yet: what a new picker given them would fold into.
    if (!picker_ && !had_all_ && good.size() == num_pieces() &&
        std::all_of(good.begin(), good.end(), [](std::uint8_t g) { return g != 0; })) {
        had_all_ = true;
        return;
    }
    PiecePicker& p = picker();
    for (std::size_t i = 0; i < good.size(); ++i) {
        if (good[i]) p.set_have(i);
    }
    fold();
}

bool TorrentPieces::add_block(const wire::BlockRequest& block, std::string_view data, const Address& sender,
                              std::shared_ptr<TorrentStorage> storage) {
    bool piece_done = false;
    if (!picker().block_received(block, piece_done)) return false;
    writer().store_block(block, data, sender,
                        {static_cast<std::size_t>(info_->piece_size(block.piece)), picker_->blocks_in(block.piece),
                         static_cast<std::int64_t>(block.piece) * info_->piece_length, storage});
    if (piece_done) {
        writer_->piece_complete(block.piece, info_, std::move(storage),
                               layer_fetcher_ ? layer_fetcher_->fetched_piece_hash(block.piece) : std::nullopt);
    }
    return true;
}

void TorrentPieces::discard_blocks_from(const Address& sender) {
    if (!writer_) return;
    for (const auto& [piece, block] : writer_->blocks_from(sender)) picker().discard_block(piece, block);
}

void TorrentPieces::abandon_stranded() {
    if (!picker_) return;  // folded: nothing in progress
    for (const std::size_t piece : picker_->abandon_stranded(max_partial_pieces())) {
        if (writer_) writer_->drop(piece);
    }
}

void TorrentPieces::run_on_disk(PieceWriter::DiskWork work, PieceWriter::DiskDone done) {
    disk_.post([work = std::move(work), done = std::move(done), alive = alive_.watch(), executor = executor_] {
        boost::asio::post(executor, [alive, done, verdict = work()] {
            if (*alive) done(verdict);
        });
    });
}

void TorrentPieces::on_outcome(std::size_t piece, const PieceWriter::Outcome& outcome) {
    if (outcome.kind == PieceWriter::Outcome::Kind::passed) {
        picker().piece_passed(piece);
    } else {
        // Every block of the piece is asked for again, from whoever has it.
        picker().piece_failed(piece);
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
    for (const std::size_t p : *checkable) picker().set_blocked(p, false);
    return !checkable->empty();
}

}  // namespace shoal
