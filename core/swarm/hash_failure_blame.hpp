#pragma once
// Who sent the bad blocks of a piece that failed its hash check. A piece from one peer alone
// convicts that peer at once. A piece mixed from several proves nothing about any one of them,
// so each block's SHA-1 is remembered with its sender; when the piece later passes, a sender
// whose block differs from the good one is proven to have lied, and the others are cleared.
// (libtorrent's "smart ban" works the same way.) Network thread only; memory is bounded.

#include <boost/asio/ip/address.hpp>
#include <cstddef>
#include <map>
#include <optional>
#include <vector>

#include "crypto/digest.hpp"

namespace shoal {

class HashFailureBlame {
public:
    using Address = boost::asio::ip::address;
    // Failed pieces remembered at once, and failures remembered per piece.
    static constexpr std::size_t k_max_pieces = 256;
    static constexpr std::size_t k_max_failures_per_piece = 4;

    struct Block {
        Address sender;
        Sha1Hash hash;
    };

    // The one peer that sent every block of `senders`, if there is one.
    static std::optional<Address> sole_sender(const std::vector<Address>& senders);

    // A piece mixed from several peers failed: `blocks[i]` is who sent block i and its hash.
    void piece_failed(std::size_t piece, std::vector<Block> blocks);
    // Whether a passing piece's block hashes are needed to settle an earlier failure.
    bool wants_block_hashes(std::size_t piece) const { return failed_.contains(piece); }
    // The piece passed with these block hashes: the senders proven to have sent other bytes
    // for a block at an earlier failure. Forgets the piece.
    std::vector<Address> piece_passed(std::size_t piece, const std::vector<Sha1Hash>& good);
    void clear() {
        failed_.clear();
        order_.clear();
    }
    std::size_t remembered() const { return failed_.size(); }

private:
    std::map<std::size_t, std::vector<std::vector<Block>>> failed_;
    std::vector<std::size_t> order_;  // oldest first, to forget beyond k_max_pieces
};

}  // namespace shoal
