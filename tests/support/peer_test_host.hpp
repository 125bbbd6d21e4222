#pragma once
// A torrent stand-in for driving one PeerConnection in unit tests: a real piece picker over
// a small made-up torrent, and a record of what the connection told it.

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "swarm/peer_host.hpp"
#include "wire/messages.hpp"

namespace shoal::test {

// A v1 torrent of `pieces` pieces of `piece_length` bytes (hashes are zeros: nothing is verified).
inline TorrentInfo made_up_torrent(std::int64_t pieces, std::int64_t piece_length = 32 * 1024) {
    const std::string hashes(static_cast<std::size_t>(pieces) * 20, '\0');
    const std::string info = "d6:lengthi" + std::to_string(pieces * piece_length) + "e4:name4:test12:piece lengthi" +
                             std::to_string(piece_length) + "e6:pieces" + std::to_string(hashes.size()) + ":" +
                             hashes + "e";
    auto parsed = parse_torrent("d4:info" + info + "e");
    if (!parsed) throw std::runtime_error(parsed.error().message);
    return std::move(*parsed);
}

class PeerTestHost final : public PeerHost {
public:
    explicit PeerTestHost(TorrentInfo info)
        : info_(std::move(info)), picker_(info_.num_pieces, info_.piece_length, info_.total_size) {
        wire_hash_ = swarm_hash(*info_.info_hash_v1);
        our_id_.fill('o');
    }

    const TorrentInfo& info() const override { return info_; }
    PiecePicker& picker() override { return picker_; }
    const wire::PeerId& our_peer_id() const override { return our_id_; }
    std::uint16_t listen_port() const override { return 6881; }
    SwarmHash wire_info_hash() const override { return wire_hash_; }
    boost::asio::awaitable<void> throttle_upload(std::int64_t) override { co_return; }
    boost::asio::awaitable<void> throttle_download(std::int64_t) override { co_return; }
    void on_block(PeerConnection&, const wire::BlockRequest& block, std::string_view data) override {
        bool done = false;
        picker_.block_received(block, done);
        blocks.push_back(block);
        block_bytes += data.size();
    }
    boost::asio::awaitable<std::vector<std::string>> read_blocks(std::vector<wire::BlockRequest> asked) override {
        std::vector<std::string> out;
        blocks_read += asked.size();
        for (const auto& b : asked) {
            std::string message;
            wire::encode_piece_header(message, b.piece, b.begin, b.length);
            message.append(b.length, 'x');
            out.push_back(std::move(message));
        }
        co_return out;
    }
    void on_peer_closed(PeerConnection& peer, const std::string& reason) override {
        closed_because = reason;
        if (when_closed) when_closed(peer, reason);
    }
    void on_peer_interest_changed(PeerConnection&) override { ++interest_changes; }
    void on_peer_ready(PeerConnection&) override { ready = true; }
    bool pex_enabled() const override { return true; }
    void on_pex(PeerConnection&, const wire::PexMessage&) override {}
    bool holepunch_enabled() const override { return holepunch; }
    void on_holepunch(PeerConnection& peer, const wire::HolepunchMessage& message) override {
        if (when_holepunch) when_holepunch(peer, message);
    }
    std::optional<std::vector<Sha256Hash>> answer_hashes(const wire::HashRequest&) override {
        ++hash_requests_answered;
        return std::vector<Sha256Hash>(64);
    }
    void on_hashes(PeerConnection&, const wire::Hashes&) override {}
    void on_hash_reject(PeerConnection&, const wire::HashRequest&) override {}

    std::size_t send_allowance() const override { return allowance; }

    std::vector<wire::BlockRequest> blocks;
    std::size_t block_bytes = 0;
    std::size_t blocks_read = 0;  // by read_blocks
    std::size_t allowance = k_max_send_allowance;  // send_allowance()
    std::optional<std::string> closed_because;
    // What the owner of the connections does when one closes (a torrent drops it).
    std::function<void(PeerConnection&, const std::string&)> when_closed;
    bool holepunch = false;
    std::function<void(PeerConnection&, const wire::HolepunchMessage&)> when_holepunch;
    int interest_changes = 0;
    int hash_requests_answered = 0;
    bool ready = false;

private:
    TorrentInfo info_;
    PiecePicker picker_;
    SwarmHash wire_hash_;
    wire::PeerId our_id_{};
};

// Splits a byte stream into whole messages (length prefix stripped); a partial tail stays in `bytes`.
inline std::vector<std::string> split_messages(std::string& bytes) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (bytes.size() - pos >= 4) {
        const std::uint32_t length = wire::read_u32(bytes.data() + pos);
        if (bytes.size() - pos - 4 < length) break;
        out.push_back(bytes.substr(pos + 4, length));
        pos += 4 + length;
    }
    bytes.erase(0, pos);
    return out;
}

inline std::string framed(const std::function<void(std::string&)>& encode) {
    std::string out;
    encode(out);
    return out;
}

}  // namespace shoal::test
