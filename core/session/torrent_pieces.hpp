#pragma once
// A torrent's pieces: which it has and wants (the picker), the blocks held in memory and the
// hash-then-write of each finished piece on a disk thread (the piece writer), and the BEP 52
// piece layers still to be fetched from peers. Blocks come in here whatever their source.
// Network thread only; the disk jobs get copies of what they need and read nothing else.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "storage/disk_pool.hpp"
#include "storage/torrent_storage.hpp"
#include "swarm/peer_connection.hpp"
#include "swarm/piece_layer_fetcher.hpp"
#include "swarm/piece_picker.hpp"
#include "swarm/piece_writer.hpp"
#include "util/alive_flag.hpp"
#include "util/result.hpp"

namespace shoal {

class TorrentPieces {
public:
    using Address = boost::asio::ip::address;
    using Clock = std::chrono::steady_clock;
    // A finished piece's verdict, once the picker has taken it in (a failed piece is wanted
    // again; a good one is had).
    using OnChecked = std::function<void(std::size_t piece, const PieceWriter::Outcome& outcome)>;

    struct Options {
        bool sequential = false;
        // Bytes of pieces in progress held in memory (SessionSettings::piece_memory).
        std::int64_t memory_budget = 0;
    };

    TorrentPieces(std::shared_ptr<const TorrentInfo> info, Options options, DiskPool& disk,
                  boost::asio::io_context::executor_type executor, OnChecked on_checked);
    TorrentPieces(const TorrentPieces&) = delete;
    TorrentPieces& operator=(const TorrentPieces&) = delete;
    ~TorrentPieces();

    // The picker, made first if there is none (see below).
    PiecePicker& picker();

    // Starts over with nothing had and nothing in memory (a check): the file priorities
    // applied (empty: all normal), pieces whose hashes are still to be fetched held back.
    void reset(std::vector<int> file_priorities);
    void set_file_priorities(std::vector<int> file_priorities);
    const std::vector<int>& file_priorities() const { return file_priorities_; }
    // The pieces a check found good; when that is every piece, the pieces are folded.
    void add_checked(const std::vector<std::uint8_t>& good);
    // The picker is made when something asks for it, not before: until then the pieces are
    // as reset() leaves them (nothing had), or folded (every piece had). fold() folds them
    // when every piece is had and the picker is idle (PiecePicker::idle), so that a complete
    // torrent nobody trades with (most of a large library) holds no picker; the next
    // picker() makes one that is the same (the priorities, the hashes still to fetch, every
    // piece had).
    void fold();
    bool folded() const { return !picker_ && had_all_; }
    bool has_picker() const { return picker_ != nullptr; }

    // The picker's figures, read without making it.
    bool finished() const;
    bool all_had() const;
    bool in_endgame() const { return picker_ && picker_->in_endgame(); }
    std::int64_t wanted_bytes() const;
    std::int64_t had_bytes() const;
    std::size_t pieces_had() const;
    // The pieces had as a wire bitfield.
    std::string have_bytes() const;

    // A block we asked for, from `sender`: held until its piece is complete, which is then
    // hashed and, if good, written to the files. False when the picker did not expect it.
    bool add_block(const wire::BlockRequest& block, std::string_view data, const Address& sender,
                   std::shared_ptr<TorrentStorage> storage);
    // A banned sender's blocks in pieces still in progress are asked for again from others.
    void discard_blocks_from(const Address& sender);
    // Pieces begun with peers that left keep their blocks while the memory budget allows, in
    // case such a peer comes back; beyond it they are given up.
    void abandon_stranded();
    // Pieces being hashed and written on disk threads.
    int writing() const { return writer_ ? writer_->writing() : 0; }
    // Runs `then` once nothing is being written.
    void when_written(std::function<void()> then) { writer_ ? writer_->when_written(std::move(then)) : then(); }

    // BEP 52 piece layers, for a torrent that did not carry them.
    void peer_ready(PeerConnection& peer) {
        if (layer_fetcher_) layer_fetcher_->peer_ready(&peer);
    }
    void peer_gone(PeerConnection& peer) {
        if (layer_fetcher_) layer_fetcher_->peer_gone(&peer);
    }
    // Sends the hash requests due, to peers that said they are ready.
    void request_layers(Clock::time_point now);
    std::optional<std::vector<Sha256Hash>> answer_hashes(const wire::HashRequest& request) {
        return layer_fetcher_ ? layer_fetcher_->answer(request) : std::nullopt;
    }
    // True when the hashes made pieces checkable (they may now be requested); an error when
    // they do not prove out against the file's root.
    Result<bool> on_hashes(PeerConnection& peer, const wire::Hashes& hashes);
    void on_hash_reject(PeerConnection& peer, const wire::HashRequest& request) {
        if (layer_fetcher_) layer_fetcher_->on_reject(&peer, request);
    }

private:
    // Pieces whose blocks may be held in memory at once; at least one (a piece larger than
    // the whole budget still has to be downloaded, and is then not held in memory).
    std::size_t max_partial_pieces() const;
    // wanted_bytes() and had_bytes() with every piece had.
    std::int64_t complete_bytes() const { return info_->num_pieces > 0 ? info_->total_size : 0; }
    std::size_t num_pieces() const { return static_cast<std::size_t>(info_->num_pieces); }
    // A picker with the priorities and the blocked pieces, nothing had.
    std::unique_ptr<PiecePicker> new_picker() const;
    // A new picker's figures, for a torrent with file priorities and no picker yet: asked for
    // every second, made once until the priorities change.
    struct Unpicked {
        std::int64_t wanted_bytes = 0;
        bool finished = false;
    };
    const Unpicked& unpicked() const;
    void run_on_disk(PieceWriter::DiskWork work, PieceWriter::DiskDone done);
    void on_outcome(std::size_t piece, const PieceWriter::Outcome& outcome);

    std::shared_ptr<const TorrentInfo> info_;
    Options options_;
    DiskPool& disk_;
    boost::asio::io_context::executor_type executor_;
    OnChecked on_checked_;
    std::vector<int> file_priorities_;  // empty: all normal
    std::unique_ptr<PiecePicker> picker_;  // null until asked for, and while folded
    bool had_all_ = false;                 // without a picker: every piece is had (folded)
    mutable std::unique_ptr<const Unpicked> unpicked_;  // see unpicked(); emptied by reset()
    std::unique_ptr<PieceLayerFetcher> layer_fetcher_;  // v2 torrents only
    // Pieces larger than the memory budget are written block by block as they come. Made with
    // the first block: a complete torrent (most of a large library) never needs one.
    std::unique_ptr<PieceWriter> writer_;
    PieceWriter& writer();
    // Disk jobs post back only while this lives.
    AliveFlag alive_;
};

}  // namespace shoal
