#pragma once
// Pieces being downloaded: their blocks buffered in memory with who sent each, then, once
// complete, hashed and written on a disk thread, and the verdict judged: who is proven to
// have sent bad data (see HashFailureBlame). A piece larger than the memory allowed for one
// is not buffered: each block is written where it belongs as it comes, and the piece is read
// back and hashed once complete (a failed piece is not had, and its blocks are written again).
// The disk step is injected, so the torrent runs it on its disk pool and tests run it inline.

#include <boost/asio/ip/address.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "crypto/digest.hpp"
#include "metainfo/torrent_info.hpp"
#include "storage/torrent_storage.hpp"
#include "swarm/hash_failure_blame.hpp"
#include "wire/messages.hpp"

namespace shoal {

class PieceWriter {
public:
    using Address = boost::asio::ip::address;

    // What the disk thread found of a finished piece.
    struct Verdict {
        bool good = false;
        std::optional<std::string> write_error;
        // Each block's SHA-1, when blame has to be settled (a failure, or a pass after one).
        std::vector<Sha1Hash> block_hashes;
    };
    // What the torrent has to do about a finished piece.
    struct Outcome {
        enum class Kind { passed, failed, write_error };
        Kind kind = Kind::passed;
        std::string write_error;
        // Senders proven to have sent bad data, and why.
        std::vector<std::pair<Address, std::string>> bans;
    };

    using DiskWork = std::function<Verdict()>;
    using DiskDone = std::function<void(Verdict)>;
    // Runs the work on a disk thread, then (unless the owner is gone) `done` with its
    // verdict back on the network thread.
    using RunOnDisk = std::function<void(DiskWork work, DiskDone done)>;
    using OnOutcome = std::function<void(std::size_t piece, const Outcome& outcome)>;

    // Pieces larger than `max_piece_in_memory` bytes go to disk block by block.
    PieceWriter(RunOnDisk run_on_disk, OnOutcome on_outcome, std::size_t max_piece_in_memory = SIZE_MAX);

    // Where a block goes: its piece's size, block count and place in the torrent's byte
    // stream, and the storage a block of a large piece is written to at once.
    struct PieceShape {
        std::size_t size = 0;
        std::size_t blocks = 0;
        std::int64_t offset = 0;
        std::shared_ptr<TorrentStorage> storage;
    };
    // Takes a block we asked for (checked against the picker already).
    void store_block(const wire::BlockRequest& block, std::string_view data, const Address& sender,
                     const PieceShape& shape);
    // Every block of `piece` is in: hashes it and, if good, writes it, on the disk. The job
    // gets the info, the storage and the bytes, and reads nothing else.
    void piece_complete(std::size_t piece, std::shared_ptr<const TorrentInfo> info,
                        std::shared_ptr<TorrentStorage> storage, std::optional<Sha256Hash> fetched_hash);

    // Blocks buffered from `sender` (piece, block index), to be asked of others once it is banned.
    std::vector<std::pair<std::size_t, std::size_t>> blocks_from(const Address& sender) const;
    // Forgets a piece's buffered blocks (given up, or the torrent rechecks).
    void drop(std::size_t piece) { in_flight_.erase(piece); }
    void drop_all() { in_flight_.clear(); }
    std::size_t buffered_pieces() const { return in_flight_.size(); }
    // Bytes of blocks held in memory (large pieces hold none).
    std::size_t bytes_in_memory() const;
    // Pieces hashed and written (and blocks of large pieces written) on disk threads whose
    // result is not back yet.
    int writing() const { return writing_; }
    // Runs `then` once nothing is being written: at once, or when the last verdict is back.
    void when_written(std::function<void()> then);

    // The disk job: hashes the piece, checks it against the torrent (or a piece hash fetched
    // from peers, which was proven against the file's root) and writes it if good.
    static Verdict check_and_write(const TorrentInfo& info, TorrentStorage& storage, std::size_t piece,
                                   std::span<const char> bytes, const std::optional<Sha256Hash>& fetched_hash,
                                   bool want_block_hashes);
    // The disk job for a large piece, whose blocks are written already: reads it back and
    // checks it the same way.
    static Verdict check_on_disk(const TorrentInfo& info, TorrentStorage& storage, std::size_t piece,
                                 const std::optional<Sha256Hash>& fetched_hash, bool want_block_hashes);

private:
    struct PieceInFlight {
        // Not zero-filled: every byte is written by a block before the piece is hashed. Null
        // for a large piece, whose blocks went to disk.
        std::unique_ptr<char[]> data;
        std::size_t size = 0;
        std::vector<Address> senders;  // indexed by block
        // A large piece: block writes not back yet, the first write error, and (once every
        // block is in) what its check needs.
        int writes_pending = 0;
        std::optional<std::string> write_error;
        bool complete = false;
        std::shared_ptr<const TorrentInfo> info;
        std::shared_ptr<TorrentStorage> storage;
        std::optional<Sha256Hash> fetched_hash;
    };

    void write_block_now(const wire::BlockRequest& block, std::string_view data, const PieceShape& shape);
    void block_written(std::size_t piece, const std::optional<std::string>& write_error);
    // A large piece with every block in and written: checked on a disk thread.
    void check_written_piece(std::size_t piece);
    // Counts a disk job's result in; runs the waiters once nothing is being written.
    void disk_job_done();
    void judge(std::size_t piece, const Verdict& verdict, const std::vector<Address>& senders);

    RunOnDisk run_on_disk_;
    OnOutcome on_outcome_;
    std::unordered_map<std::size_t, PieceInFlight> in_flight_;
    HashFailureBlame blame_;
    std::size_t max_piece_in_memory_;
    int writing_ = 0;
    std::vector<std::function<void()>> waiting_for_writes_;
};

}  // namespace shoal
