#pragma once
// One peer: the message loop after the handshake, request pipelining, serving requests.
// A connection made for a magnet link starts without the torrent's metadata: it then speaks
// only the extension protocol and ut_metadata, and keeps what the peer says it has until
// metadata_arrived() gives it the torrent.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <memory>
#include <optional>
#include <string>

#include "net/peer_stream.hpp"
#include "swarm/bitfield.hpp"
#include "swarm/peer_host.hpp"
#include "wire/handshake.hpp"
#include "wire/messages.hpp"
#include "wire/ut_holepunch.hpp"
#include "wire/ut_pex.hpp"

namespace shoal {

struct PeerStats {
    std::int64_t downloaded = 0;  // payload bytes
    std::int64_t uploaded = 0;
    double download_rate = 0;  // bytes per second, smoothed
    double upload_rate = 0;
};

class PeerConnection : public std::enable_shared_from_this<PeerConnection> {
public:
    using tcp = boost::asio::ip::tcp;
    using Clock = std::chrono::steady_clock;

    static constexpr std::size_t k_max_incoming_requests = 500;
    static constexpr std::size_t k_max_message_bytes = wire::k_max_request_length + 13;
    // BEP 6: pieces offered to a starting peer while it is choked, and how many pieces it may
    // hold and still count as starting.
    static constexpr std::size_t k_allowed_fast = 10;
    // What we hold for a peer, queued and being written: pieces stop being queued at the
    // host's send_allowance(), so that many slow readers cannot make us hold much. Held
    // output above twice the allowance stops reading from the peer (and handling what
    // it sent) until it drains: a peer that does not read what it asks for (hash requests,
    // metadata) stalls itself instead of making us work, and is closed if it has not drained
    // within the backlog time. Output past the hard limit closes at once. A write that makes
    // no progress for the stall time closes too.
    static constexpr std::size_t k_max_send_bytes = 8 * 1024 * 1024;
    static constexpr std::chrono::seconds k_backlog_timeout{5};
    static constexpr std::chrono::seconds k_write_stall_timeout{60};
    // Allowed-fast pieces a peer may offer us (BEP 6 suggests 10); more are ignored.
    static constexpr std::size_t k_max_allowed_fast_in = 64;
    // Without metadata: the largest message (a bitfield of a very large torrent, a metadata
    // piece), and how many `have` messages are kept for later.
    static constexpr std::size_t k_max_message_without_metadata = 1024 * 1024;
    static constexpr std::size_t k_max_early_haves = 1 << 16;
    // ut_holepunch messages taken from one peer per window; more are ignored.
    static constexpr std::size_t k_max_holepunch_messages = 20;
    static constexpr std::chrono::seconds k_holepunch_window{60};

    // The stream has been through the handshake (swarm/peer_handshake); `theirs` is the
    // peer's side of it.
    PeerConnection(std::unique_ptr<net::PeerStream> stream, PeerHost& host, const wire::Handshake& theirs);
    // Without the torrent's metadata (a magnet link's connection).
    PeerConnection(std::unique_ptr<net::PeerStream> stream, SwarmHost& host, const wire::Handshake& theirs);

    // Runs the connection until it closes; the handshake has been exchanged already.
    boost::asio::awaitable<void> run();
    void close(const std::string& reason);
    // The network device was made anew: the connection's socket is bound to it again.
    void rebind_device(const std::string& device) { stream_->rebind_device(device); }
    // The torrent detaches before it goes away; afterwards the peer only closes.
    void detach() { host_ = torrent_ = nullptr; }
    // Without metadata still, under a new owner (a magnet link's fetch hands it over).
    void move_to(SwarmHost& host) { host_ = &host; }
    // The metadata is in: the connection belongs to the torrent from now on, and what the
    // peer said it has so far counts.
    void metadata_arrived(PeerHost& torrent);
    bool has_metadata() const { return torrent_ != nullptr; }

    // Called by the torrent.
    void set_choked(bool choked);
    void send_have(std::uint32_t piece);
    void send_hash_request(const wire::HashRequest& request);
    // Sent only when the peer said it speaks ut_pex.
    void send_pex(const wire::PexMessage& message);
    bool speaks_pex() const { return their_ut_pex_ != 0; }
    // BEP 55; sent only when the peer said it speaks ut_holepunch.
    void send_holepunch(const wire::HolepunchMessage& message);
    bool speaks_holepunch() const { return their_ut_holepunch_ != 0; }
    // Whether we opened this connection (set by the owner as it takes the connection).
    bool we_dialed() const { return we_dialed_; }
    void set_we_dialed(bool dialed) { we_dialed_ = dialed; }
    // BEP 9: whether the peer serves metadata, and its size as the peer announced it.
    bool speaks_metadata() const { return their_ut_metadata_ != 0; }
    std::optional<std::int64_t> their_metadata_size() const { return their_metadata_size_; }
    void send_metadata_request(std::uint32_t piece);
    // Where the peer accepts connections: the address we dialed, or its address with the
    // port from its extension handshake; nullopt when it never said.
    std::optional<tcp::endpoint> listen_endpoint() const;
    void cancel_block(const wire::BlockRequest& block);
    void update_interest();
    void fill_requests();
    // Once a second: rates, timeouts, keep-alive.
    void tick(Clock::time_point now);

    const tcp::endpoint& endpoint() const { return endpoint_; }
    const wire::PeerId& peer_id() const { return peer_id_; }
    std::string client() const;
    const Bitfield& pieces() const { return pieces_; }
    bool is_seed() const { return torrent_ && pieces_.all(); }
    bool peer_interested() const { return peer_interested_; }
    bool am_choking() const { return am_choking_; }
    bool am_interested() const { return am_interested_; }
    bool peer_choking() const { return peer_choking_; }
    bool is_open() const { return open_; }
    bool snubbed() const { return snubbed_; }
    // Over Message Stream Encryption with RC4.
    bool encrypted() const { return stream_->encrypted(); }
    bool encrypted_handshake() const { return stream_->encrypted_handshake(); }
    net::Transport transport() const { return stream_->transport(); }
    const PeerStats& stats() const { return stats_; }
    Clock::time_point last_unchoked() const { return last_unchoked_; }

private:
    boost::asio::awaitable<void> read_loop();
    boost::asio::awaitable<void> upload_loop();
    boost::asio::awaitable<void> write_loop();
    void send(std::string bytes);
    void handle(const wire::Message& message);
    void handle_piece(const wire::Piece& piece);
    void handle_request(const wire::BlockRequest& block);
    void handle_extended(const wire::Extended& ext);
    void send_bitfield();
    void send_allowed_fast();
    // Whether a choked peer may still have this piece from us (it is in its allowed fast set).
    bool allowed_fast_for_them(std::uint32_t piece) const;
    void send_extension_handshake();
    void set_pieces(Bitfield pieces);
    void abort_requests();
    void protocol_error(const std::string& what);

    std::unique_ptr<net::PeerStream> stream_;
    SwarmHost* host_;
    PeerHost* torrent_;  // null until the torrent's metadata is known
    tcp::endpoint endpoint_;
    wire::PeerId peer_id_;
    bool fast_;
    bool extensions_;
    std::string client_name_;
    std::size_t their_max_requests_ = 250;
    std::uint8_t their_ut_metadata_ = 0;  // their extension message ids; 0: not spoken
    std::uint8_t their_ut_pex_ = 0;
    std::uint8_t their_ut_holepunch_ = 0;
    bool we_dialed_ = false;
    std::optional<std::uint16_t> their_listen_port_;
    std::optional<std::int64_t> their_metadata_size_;
    // What the peer said it has before we knew how many pieces there are.
    struct EarlyPieces {
        std::string bitfield;
        bool have_all = false;
        std::vector<std::uint32_t> haves;
    };
    EarlyPieces early_;
    std::optional<Clock::time_point> last_pex_received_;
    std::optional<Clock::time_point> holepunch_window_start_;
    std::size_t holepunch_messages_ = 0;
    std::size_t metadata_requests_ = 0;
    // Grows by one per block received, so the pipeline deepens before the first rate sample.
    std::size_t slow_start_depth_ = 16;

    bool open_ = true;
    bool am_choking_ = true;
    bool am_interested_ = false;
    bool peer_choking_ = true;
    bool peer_interested_ = false;
    bool snubbed_ = false;
    Bitfield pieces_;
    std::vector<std::uint32_t> allowed_fast_out_;  // what we offered them
    Bitfield allowed_fast_in_;                      // what they offered us

    std::deque<wire::BlockRequest> outstanding_;  // ours, oldest first
    std::deque<wire::BlockRequest> incoming_;      // theirs, to serve
    boost::asio::steady_timer upload_wake_;
    boost::asio::steady_timer write_wake_;
    boost::asio::steady_timer drain_wake_;  // the read loop waits on it while output backs up
    // Messages waiting to be written, kept whole so blocks are never copied again.
    std::vector<std::string> send_queue_;
    std::size_t send_queue_bytes_ = 0;
    std::size_t writing_bytes_ = 0;  // taken from the queue, not yet written
    std::size_t held_output() const { return send_queue_bytes_ + writing_bytes_; }
    std::size_t send_allowance() const {
        return host_ ? host_->send_allowance() : SwarmHost::k_max_send_allowance;
    }
    Clock::time_point last_write_progress_;
    // Since when the read loop has waited for our output to drain (k_read_pause_bytes).
    std::optional<Clock::time_point> backed_up_since_;
    bool overflowed_ = false;
    std::size_t allowed_fast_in_count_ = 0;

    PeerStats stats_;
    std::int64_t downloaded_this_tick_ = 0;
    std::int64_t uploaded_this_tick_ = 0;
    Clock::time_point last_received_;
    Clock::time_point last_sent_;
    Clock::time_point last_block_;
    Clock::time_point last_unchoked_{};
};

}  // namespace shoal
