#include "swarm/peer_connection.hpp"

#include <algorithm>
#include <span>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "wire/allowed_fast.hpp"

namespace shoal {

namespace asio = boost::asio;
using wire::BlockRequest;
using wire::MessageId;

namespace {

constexpr auto k_request_timeout = std::chrono::seconds(20);
constexpr auto k_inactivity_timeout = std::chrono::seconds(150);
constexpr auto k_keep_alive_interval = std::chrono::seconds(90);
constexpr std::size_t k_min_queue_depth = 16;
constexpr std::size_t k_max_queue_depth = 1000;
constexpr std::size_t k_upload_batch = 16;

template <class... Ts>
struct Overloaded : Ts... {
    using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

// Waits until `timer` is cancelled (the wake-up signal) or expires.
asio::awaitable<void> wait_for_wake(asio::steady_timer& timer, std::chrono::milliseconds limit) {
    timer.expires_after(limit);
    boost::system::error_code ec;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
}

}  // namespace

PeerConnection::PeerConnection(std::unique_ptr<net::PeerStream> stream, PeerHost& host, const wire::Handshake& theirs)
    : PeerConnection(std::move(stream), static_cast<SwarmHost&>(host), theirs) {
    torrent_ = &host;
    pieces_ = Bitfield(static_cast<std::size_t>(host.info().num_pieces));
    allowed_fast_in_ = Bitfield(static_cast<std::size_t>(host.info().num_pieces));
}

PeerConnection::PeerConnection(std::unique_ptr<net::PeerStream> stream, SwarmHost& host, const wire::Handshake& theirs)
    : stream_(std::move(stream)),
      host_(&host),
      torrent_(nullptr),
      peer_id_(theirs.peer_id),
      fast_(theirs.supports_fast()),
      extensions_(theirs.supports_extensions()),
      upload_wake_(stream_->get_executor()),
      write_wake_(stream_->get_executor()),
      drain_wake_(stream_->get_executor()) {
    endpoint_ = stream_->remote_endpoint();
    last_received_ = last_sent_ = last_block_ = Clock::now();
}

std::string PeerConnection::client() const {
    return client_name_.empty() ? wire::client_from_peer_id(peer_id_) : client_name_;
}

asio::awaitable<void> PeerConnection::run() {
    auto self = shared_from_this();
    // The bitfield must come first (BEP 3, BEP 6); the extension handshake may follow.
    send_bitfield();
    if (extensions_) send_extension_handshake();
    if (torrent_) send_allowed_fast();
    if (host_) host_->on_peer_ready(*this);
    asio::co_spawn(stream_->get_executor(), [self]() { return self->write_loop(); }, asio::detached);
    asio::co_spawn(stream_->get_executor(), [self]() { return self->upload_loop(); }, asio::detached);
    try {
        co_await read_loop();
    } catch (const boost::system::system_error& e) {
        close(e.code() == asio::error::eof ? "closed by peer" : e.code().message());
    }
    close("closed");
}

void PeerConnection::close(const std::string& reason) {
    if (!open_) return;
    open_ = false;
    stream_->close();
    upload_wake_.cancel();
    write_wake_.cancel();
    drain_wake_.cancel();
    if (torrent_) {
        abort_requests();
        torrent_->picker().remove_peer_pieces(pieces_);
    }
    if (host_) {
        SwarmHost* host = host_;
        host_ = torrent_ = nullptr;
        host->on_peer_closed(*this, reason);
    }
}

void PeerConnection::protocol_error(const std::string& what) { close("protocol error: " + what); }

asio::awaitable<void> PeerConnection::read_loop() {
    std::vector<char> buffer(64 * 1024);
    std::size_t filled = 0;
    bool need_bytes = true;  // false: complete messages wait in the buffer
    const auto backed_up = [this] { return held_output() > 2 * send_allowance(); };
    while (open_) {
        if (backed_up()) {
            backed_up_since_ = Clock::now();
            while (open_ && backed_up()) co_await wait_for_wake(drain_wake_, std::chrono::milliseconds(1000));
            backed_up_since_.reset();
        }
        if (!open_) co_return;
        if (need_bytes) {
            const std::size_t n = co_await stream_->async_read_some(
                asio::buffer(buffer.data() + filled, buffer.size() - filled), asio::use_awaitable);
            filled += n;
            last_received_ = Clock::now();
            if (host_) co_await host_->throttle_download(static_cast<std::int64_t>(n));
            if (!open_ || !host_) co_return;  // closed, or its torrent removed, while it waited
        }
        const std::size_t max_message =
            torrent_ ? std::max(k_max_message_bytes, static_cast<std::size_t>(torrent_->info().num_pieces + 7) / 8 + 1)
                     : k_max_message_without_metadata;
        std::size_t pos = 0;
        need_bytes = true;
        while (open_ && !overflowed_ && filled - pos >= 4) {
            if (backed_up()) {
                need_bytes = false;
                break;
            }
            const std::uint32_t length = wire::read_u32(buffer.data() + pos);
            if (length > max_message) {
                protocol_error("message of " + std::to_string(length) + " bytes");
                co_return;
            }
            if (filled - pos - 4 < length) {
                if (length + 4 > buffer.size()) buffer.resize(length + 4);
                break;
            }
            auto message = wire::decode_message({buffer.data() + pos + 4, length});
            if (!message) {
                protocol_error(message.error().message);
                co_return;
            }
            handle(*message);
            pos += 4 + length;
        }
        std::copy(buffer.begin() + static_cast<std::ptrdiff_t>(pos),
                  buffer.begin() + static_cast<std::ptrdiff_t>(filled), buffer.begin());
        filled -= pos;
    }
}

asio::awaitable<void> PeerConnection::write_loop() {
    auto self = shared_from_this();
    while (open_) {
        if (send_queue_.empty()) {
            co_await wait_for_wake(write_wake_, std::chrono::milliseconds(1000));
            continue;
        }
        std::vector<std::string> out;
        out.swap(send_queue_);
        writing_bytes_ = send_queue_bytes_;
        send_queue_bytes_ = 0;
        last_write_progress_ = Clock::now();
        std::vector<asio::mutable_buffer> buffers;  // handed to the stream, which may encrypt them in place
        buffers.reserve(out.size());
        for (auto& message : out) buffers.emplace_back(asio::buffer(message));
        // Written piecemeal, so that a peer that stops reading is noticed (tick) and a slow
        // one is not: each write that moves bytes counts as progress.
        std::size_t first = 0;
        while (first < buffers.size()) {
            boost::system::error_code ec;
            const std::size_t n = co_await stream_->async_write_some_in_place(
                std::span(buffers).subspan(first), asio::redirect_error(asio::use_awaitable, ec));
            if (ec) {
                writing_bytes_ = 0;
                close(ec.message());
                co_return;
            }
            writing_bytes_ -= n;
            last_write_progress_ = last_sent_ = Clock::now();
            for (std::size_t left = n; left > 0 && first < buffers.size();) {
                if (left >= buffers[first].size()) {
                    left -= buffers[first].size();
                    ++first;
                } else {
                    buffers[first] += left;
                    left = 0;
                }
            }
            while (first < buffers.size() && buffers[first].size() == 0) ++first;
        }
        upload_wake_.cancel();  // the upload loop may be waiting for the queue to drain
        drain_wake_.cancel();   // and the read loop
    }
}

asio::awaitable<void> PeerConnection::upload_loop() {
    auto self = shared_from_this();
    while (open_ && host_) {
        const std::size_t allowance = send_allowance();
        if (!torrent_ || incoming_.empty() || held_output() >= allowance) {
            co_await wait_for_wake(upload_wake_, std::chrono::milliseconds(1000));
            continue;
        }
        std::vector<BlockRequest> batch;
        std::int64_t bytes = 0;
        // At least one block, and no more than the allowance has room for.
        while (!incoming_.empty() && batch.size() < k_upload_batch &&
               (batch.empty() || held_output() + static_cast<std::size_t>(bytes) +
                                         incoming_.front().length <= allowance)) {
            batch.push_back(incoming_.front());
            bytes += incoming_.front().length;
            incoming_.pop_front();
        }
        co_await host_->throttle_upload(bytes);
        if (!open_ || !torrent_) co_return;
        std::vector<std::string> messages = co_await torrent_->read_blocks(batch);
        if (!open_ || !torrent_) co_return;
        for (std::size_t i = 0; i < batch.size(); ++i) {
            if (am_choking_ && !allowed_fast_for_them(batch[i].piece)) {
                // Choked meanwhile: with the fast extension each request gets its reject.
                if (fast_) {
                    std::string reject;
                    wire::encode_request(reject, MessageId::reject, batch[i]);
                    send(std::move(reject));
                }
                continue;
            }
            if (messages[i].empty()) {
                close("cannot read the data a peer asked for");
                co_return;
            }
            send(std::move(messages[i]));
            stats_.uploaded += batch[i].length;
            uploaded_this_tick_ += batch[i].length;
        }
    }
}

void PeerConnection::send(std::string bytes) {
    if (!open_ || overflowed_) return;
    if (held_output() + bytes.size() > k_max_send_bytes) {
        // Closed from the executor, not here: callers may be walking the torrent's peers.
        overflowed_ = true;
        asio::post(stream_->get_executor(), [self = shared_from_this()] {
            self->close("does not read what it asks for");
        });
        return;
    }
    const bool was_empty = send_queue_.empty();
    send_queue_bytes_ += bytes.size();
    send_queue_.push_back(std::move(bytes));
    if (was_empty) write_wake_.cancel();
}

void PeerConnection::send_bitfield() {
    std::string out;
    if (!torrent_) {
        // Nothing to have without metadata; only the fast extension needs telling.
        if (fast_) wire::encode_simple(out, MessageId::have_none);
        if (!out.empty()) send(std::move(out));
        return;
    }
    const Bitfield& have = torrent_->picker().have_pieces();
    if (fast_ && have.all()) {
        wire::encode_simple(out, MessageId::have_all);
    } else if (fast_ && have.none()) {
        wire::encode_simple(out, MessageId::have_none);
    } else if (!have.none()) {
        wire::encode_bitfield(out, have.to_bytes());
    }
    if (!out.empty()) send(std::move(out));
}



void PeerConnection::handle(const wire::Message& message) {
    const std::size_t num_pieces = pieces_.size();
    std::visit(
        Overloaded{
            [](const wire::KeepAlive&) {},
            [&](const wire::Choke&) {
                peer_choking_ = true;
                // Without the fast extension a choke silently drops every request.
                if (!fast_) abort_requests();
            },
            [&](const wire::Unchoke&) {
                peer_choking_ = false;
                fill_requests();
            },
            [&](const wire::Interested&) {
                peer_interested_ = true;
                if (torrent_) torrent_->on_peer_interest_changed(*this);
            },
            [&](const wire::NotInterested&) {
                peer_interested_ = false;
                if (torrent_) torrent_->on_peer_interest_changed(*this);
            },
            [&](const wire::Have& h) {
                if (!torrent_) {
                    if (early_.haves.size() < k_max_early_haves) early_.haves.push_back(h.piece);
                    return;
                }
                if (h.piece >= num_pieces) return protocol_error("have for piece out of range");
                if (pieces_.test(h.piece)) return;
                pieces_.set(h.piece);
                torrent_->picker().add_peer_piece(h.piece);
                if (!am_interested_ && torrent_->picker().wanted(h.piece)) update_interest();
            },
            [&](const wire::Bitfield& b) {
                if (!torrent_) {
                    early_ = {std::string(b.bits), false, {}};
                    return;
                }
                auto bits = Bitfield::from_bytes(b.bits, num_pieces);
                if (!bits) return protocol_error("bitfield of the wrong size");
                set_pieces(std::move(*bits));
            },
            [&](const wire::HaveAll&) {
                if (!fast_) return protocol_error("have all without the fast extension");
                if (!torrent_) {
                    early_ = {{}, true, {}};
                    return;
                }
                set_pieces(Bitfield(num_pieces, true));
            },
            [&](const wire::HaveNone&) {
                if (!fast_) return protocol_error("have none without the fast extension");
                if (!torrent_) {
                    early_ = {};
                    return;
                }
                set_pieces(Bitfield(num_pieces));
            },
            [&](const wire::Request& r) { handle_request(r.block); },
            [&](const wire::Piece& p) { handle_piece(p); },
            [&](const wire::Cancel& c) {
                auto it = std::find(incoming_.begin(), incoming_.end(), c.block);
                if (it == incoming_.end()) return;  // already being sent: the piece answers it
                incoming_.erase(it);
                // BEP 6: every request of a fast peer gets exactly one answer.
                if (fast_) {
                    std::string out;
                    wire::encode_request(out, MessageId::reject, c.block);
                    send(std::move(out));
                }
            },
            [&](const wire::Reject& r) {
                if (!fast_) return protocol_error("reject without the fast extension");
                auto it = std::find(outstanding_.begin(), outstanding_.end(), r.block);
                if (it == outstanding_.end()) return;
                outstanding_.erase(it);
                torrent_->picker().abort_request(r.block);
                if (!peer_choking_) fill_requests();
            },
            [&](const wire::Extended& e) { handle_extended(e); },
            [&](const wire::AllowedFast& a) {
                if (!fast_) return protocol_error("allowed fast without the fast extension");
                // Advisory: ignore what cannot be, what we know, and offers beyond a few.
                if (a.piece >= num_pieces || allowed_fast_in_.test(a.piece) ||
                    allowed_fast_in_count_ >= k_max_allowed_fast_in) {
                    return;
                }
                allowed_fast_in_.set(a.piece);
                ++allowed_fast_in_count_;
                if (peer_choking_) fill_requests();
            },
            [&](const wire::HashRequest& r) {
                std::string out;
                if (auto hashes = torrent_ ? torrent_->answer_hashes(r) : std::nullopt) {
                    wire::encode_hashes(out, r, *hashes);
                } else {
                    wire::encode_hash_request(out, MessageId::hash_reject, r);
                }
                send(std::move(out));
            },
            [&](const wire::Hashes& h) {
                if (torrent_) torrent_->on_hashes(*this, h);
            },
            [&](const wire::HashReject& r) {
                if (torrent_) torrent_->on_hash_reject(*this, r.request);
            },
            [](const auto&) {},  // port, suggest, allowed fast, unknown ids
        },
        message);
}

void PeerConnection::set_pieces(Bitfield pieces) {
    // Repeating what the peer already said costs a comparison, not a walk over every piece.
    if (pieces == pieces_) return;
    // BEP 3 puts the bitfield first, but some clients (aria2) send one after `have none`:
    // a later one simply replaces what the peer had announced.
    torrent_->picker().remove_peer_pieces(pieces_);
    pieces_ = std::move(pieces);
    torrent_->picker().add_peer_pieces(pieces_);
    update_interest();
}



void PeerConnection::handle_request(const BlockRequest& b) {
    if (!torrent_) {
        // Nothing to serve before the metadata is in.
        if (fast_) {
            std::string out;
            wire::encode_request(out, MessageId::reject, b);
            send(std::move(out));
        }
        return;
    }
    const TorrentInfo& info = torrent_->info();
    if (b.piece >= pieces_.size() || b.length == 0 || b.length > wire::k_max_request_length ||
        std::int64_t{b.begin} + b.length > info.piece_size(b.piece)) {
        return protocol_error("invalid request");
    }
    const bool can_serve = (!am_choking_ || allowed_fast_for_them(b.piece)) && torrent_->picker().have(b.piece) &&
                           incoming_.size() < k_max_incoming_requests;
    if (!can_serve) {
        if (fast_) {
            std::string out;
            wire::encode_request(out, MessageId::reject, b);
            send(std::move(out));
        }
        return;
    }
    incoming_.push_back(b);
    if (incoming_.size() == 1) upload_wake_.cancel();
}

void PeerConnection::send_allowed_fast() {
    if (!fast_ || !torrent_ || !endpoint_.address().is_v4()) return;  // BEP 6 has no IPv6 form
    const auto num_pieces = static_cast<std::uint32_t>(pieces_.size());
    // In a small torrent the set would be most of it: choking would mean little.
    if (num_pieces < 4 * k_allowed_fast) return;
    allowed_fast_out_ = wire::allowed_fast_set(endpoint_.address().to_v4().to_uint(), host_->wire_info_hash().bytes,
                                               num_pieces, k_allowed_fast);
    std::string out;
    for (std::uint32_t piece : allowed_fast_out_) wire::encode_piece_index(out, MessageId::allowed_fast, piece);
    send(std::move(out));
}

bool PeerConnection::allowed_fast_for_them(std::uint32_t piece) const {
    return pieces_.count() <= k_allowed_fast &&
           std::find(allowed_fast_out_.begin(), allowed_fast_out_.end(), piece) != allowed_fast_out_.end();
}

void PeerConnection::handle_piece(const wire::Piece& p) {
    const BlockRequest block{p.piece, p.begin, static_cast<std::uint32_t>(p.data.size())};
    auto it = std::find(outstanding_.begin(), outstanding_.end(), block);
    if (it == outstanding_.end()) return;  // not asked for, or cancelled in endgame: ignore
    outstanding_.erase(it);
    stats_.downloaded += block.length;
    downloaded_this_tick_ += block.length;
    last_block_ = Clock::now();
    snubbed_ = false;
    if (slow_start_depth_ < k_max_queue_depth) ++slow_start_depth_;
    torrent_->on_block(*this, block, p.data);
    if (open_ && torrent_) fill_requests();
}

void PeerConnection::fill_requests() {
    if (!torrent_ || !am_interested_) return;
    // Choked: only the pieces the peer offered as allowed fast may be asked for.
    std::optional<Bitfield> allowed;
    if (peer_choking_) {
        if (allowed_fast_in_.none()) return;
        allowed = Bitfield(pieces_.size());
        for (std::size_t i = 0; i < pieces_.size(); ++i) {
            if (pieces_.test(i) && allowed_fast_in_.test(i)) allowed->set(i);
        }
    }
    const auto by_rate = static_cast<std::size_t>(stats_.download_rate * 2 / wire::k_block_size);
    // A snubbed peer gets one request at a time until it delivers again.
    const std::size_t depth =
        snubbed_ ? 1
                 : std::min({std::max({k_min_queue_depth, by_rate, slow_start_depth_}), their_max_requests_,
                             k_max_queue_depth});
    // Ask in batches rather than block by block.
    if (outstanding_.size() + std::max<std::size_t>(1, depth / 4) > depth) return;
    auto blocks = torrent_->picker().pick(allowed ? *allowed : pieces_, depth - outstanding_.size(), [&](const BlockRequest& b) {
        return std::find(outstanding_.begin(), outstanding_.end(), b) != outstanding_.end();
    });
    if (blocks.empty()) {
        if (outstanding_.empty()) update_interest();
        return;
    }
    std::string out;
    out.reserve(blocks.size() * 17);
    for (const auto& b : blocks) {
        wire::encode_request(out, MessageId::request, b);
        outstanding_.push_back(b);
    }
    send(std::move(out));
}

void PeerConnection::update_interest() {
    if (!torrent_) return;
    bool interesting = false;
    const PiecePicker& picker = torrent_->picker();
    for (std::size_t i = 0; i < pieces_.size() && !interesting; ++i) {
        interesting = pieces_.test(i) && picker.wanted(i);
    }
    if (interesting == am_interested_) return;
    am_interested_ = interesting;
    std::string out;
    wire::encode_simple(out, interesting ? MessageId::interested : MessageId::not_interested);
    send(std::move(out));
    if (interesting) fill_requests();
}

void PeerConnection::set_choked(bool choked) {
    if (choked == am_choking_ || !open_) return;
    am_choking_ = choked;
    std::string out;
    wire::encode_simple(out, choked ? MessageId::choke : MessageId::unchoke);
    if (choked) {
        if (fast_) {
            for (const auto& b : incoming_) wire::encode_request(out, MessageId::reject, b);
        }
        incoming_.clear();
    } else {
        last_unchoked_ = Clock::now();
    }
    send(std::move(out));
}

void PeerConnection::send_have(std::uint32_t piece) {
    std::string out;
    wire::encode_have(out, piece);
    send(std::move(out));
}



void PeerConnection::send_hash_request(const wire::HashRequest& request) {
    std::string out;
    wire::encode_hash_request(out, MessageId::hash_request, request);
    send(std::move(out));
}

void PeerConnection::cancel_block(const BlockRequest& block) {
    auto it = std::find(outstanding_.begin(), outstanding_.end(), block);
    if (it == outstanding_.end()) return;
    outstanding_.erase(it);
    std::string out;
    wire::encode_request(out, MessageId::cancel, block);
    send(std::move(out));
}

void PeerConnection::abort_requests() {
    if (torrent_) {
        for (const auto& b : outstanding_) torrent_->picker().abort_request(b);
    }
    outstanding_.clear();
}

void PeerConnection::tick(Clock::time_point now) {
    if (!open_) return;
    constexpr double k_smoothing = 0.4;
    stats_.download_rate += k_smoothing * (static_cast<double>(downloaded_this_tick_) - stats_.download_rate);
    stats_.upload_rate += k_smoothing * (static_cast<double>(uploaded_this_tick_) - stats_.upload_rate);
    downloaded_this_tick_ = uploaded_this_tick_ = 0;
    if (now - last_received_ > k_inactivity_timeout) return close("inactive");
    if (backed_up_since_ && now - *backed_up_since_ > k_backlog_timeout) {
        return close("does not read what it asks for");
    }
    if (writing_bytes_ > 0 && now - last_write_progress_ > k_write_stall_timeout) {
        return close("stopped reading what we send");
    }
    if (!outstanding_.empty() && now - last_block_ > k_request_timeout) {
        // Snubbed: give its blocks to others, keep the connection.
        snubbed_ = true;
        slow_start_depth_ = k_min_queue_depth;
        // Told, so that it does not send them later to no purpose.
        std::string cancels;
        for (const auto& b : outstanding_) wire::encode_request(cancels, MessageId::cancel, b);
        abort_requests();
        send(std::move(cancels));
        last_block_ = now;
    }
    if (now - last_sent_ > k_keep_alive_interval) {
        std::string out;
        wire::encode_keep_alive(out);
        send(std::move(out));
        last_sent_ = now;
    }
    fill_requests();
}

}  // namespace shoal
