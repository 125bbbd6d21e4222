#pragma once
// Pieces being downloaded: their blocks buffered in memory with who sent each, then, once
// complete, hashed and written on a disk thread, and the verdict judged: who is proven to
// have sent bad data (see HashFailureBlame). The disk step is injected, so the torrent runs
// it on its disk pool and tests run it inline.

#include <boost/asio/ip/address.hpp>
#include <cstddef>
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

    PieceWriter(RunOnDisk run_on_disk, OnOutcome on_outcome);

    // Buffers a block we asked for (checked against the picker already).
    void store_block(const wire::BlockRequest& block, std::string_view data, const Address& sender,
                     std::size_t piece_size, std::size_t blocks_in_piece);
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
    // Pieces hashed and written on disk threads whose verdict is not back yet.
    int writing() const { return writing_; }

    // The disk job: hashes the piece, checks it against the torrent (or a piece hash fetched
    // from peers, which was proven against the file's root) and writes it if good.
    static Verdict check_and_write(const TorrentInfo& info, TorrentStorage& storage, std::size_t piece,
                                   std::span<const char> bytes, const std::optional<Sha256Hash>& fetched_hash,
                                   bool want_block_hashes);

private:
    struct PieceInFlight {
        // Not zero-filled: every byte is written by a block before the piece is hashed.
        std::unique_ptr<char[]> data;
        std::size_t size = 0;
        std::vector<Address> senders;  // indexed by block
    };

    void judge(std::size_t piece, const Verdict& verdict, const std::vector<Address>& senders);

    RunOnDisk run_on_disk_;
    OnOutcome on_outcome_;
    std::unordered_map<std::size_t, PieceInFlight> in_flight_;
    HashFailureBlame blame_;
    int writing_ = 0;
};

}  // namespace shoal
