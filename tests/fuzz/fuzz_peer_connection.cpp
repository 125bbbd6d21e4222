// libFuzzer target: one peer connection driven by a hostile peer, statefully. The input is a
// script: what the peer sends, in chunks, between our own moves (time passing, choking, the
// metadata arriving for a magnet link's connection). Whatever the peer does, the connection
// must not crash, must only ever send well-formed messages, and must keep its output bounded.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <string_view>

#include "memory_stream.hpp"
#include "peer_test_host.hpp"
#include "swarm/peer_connection.hpp"

namespace {

namespace asio = boost::asio;
using shoal::PeerConnection;

// The owner of a connection without metadata: it only listens.
class QuietOwner final : public shoal::SwarmHost {
public:
    const shoal::wire::PeerId& our_peer_id() const override { return id_; }
    std::uint16_t listen_port() const override { return 6881; }
    shoal::SwarmHash wire_info_hash() const override { return {}; }
    asio::awaitable<void> throttle_upload(std::int64_t) override { co_return; }
    asio::awaitable<void> throttle_download(std::int64_t) override { co_return; }
    void on_peer_closed(PeerConnection&, const std::string&) override {}
    void on_peer_ready(PeerConnection&) override {}
    bool pex_enabled() const override { return true; }
    void on_pex(PeerConnection&, const shoal::wire::PexMessage&) override {}

private:
    shoal::wire::PeerId id_{};
};

const shoal::TorrentInfo& torrent() {
    static const shoal::TorrentInfo info = shoal::test::made_up_torrent(48);
    return info;
}

// Everything we sent must split into messages that decode.
void check_output(std::string& pending) {
    for (const auto& body : shoal::test::split_messages(pending)) {
        if (!body.empty() && !shoal::wire::decode_message(body)) __builtin_trap();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return 0;
    const std::uint8_t flags = data[0];
    std::string_view script(reinterpret_cast<const char*>(data + 1), size - 1);

    asio::io_context io;
    shoal::test::PeerTestHost host{torrent()};
    for (std::size_t p = 0; p < 48; p += 1 + (flags >> 4)) host.picker().set_have(p);
    QuietOwner owner;
    const asio::ip::tcp::endpoint us(asio::ip::make_address("198.51.100.1"), 6881);
    const asio::ip::tcp::endpoint them(asio::ip::make_address("198.51.100.2"), 51413);
    auto [ours, remote] = shoal::test::MemoryStream::pair(io.get_executor(), us, them, 256 * 1024);
    shoal::wire::Handshake handshake;
    handshake.reserved = shoal::wire::our_reserved(false);
    if (!(flags & 1)) handshake.reserved[7] = 0;  // no fast extension
    const bool without_metadata = flags & 2;
    auto peer = without_metadata
                    ? std::make_shared<PeerConnection>(std::move(ours), static_cast<shoal::SwarmHost&>(owner), handshake)
                    : std::make_shared<PeerConnection>(std::move(ours), host, handshake);
    asio::co_spawn(io, [peer] { return peer->run(); }, asio::detached);
    if (flags & 4) peer->set_choked(false);
    io.poll();

    std::string pending;
    auto now = PeerConnection::Clock::now();
    while (!script.empty() && peer->is_open()) {
        const auto op = static_cast<std::uint8_t>(script[0]);
        script.remove_prefix(1);
        switch (op & 3) {
            case 0: {  // the peer sends the next few bytes
                const std::size_t n = std::min<std::size_t>(script.size(), (op >> 2) * 4 + 1);
                remote->give(script.substr(0, n));
                script.remove_prefix(n);
                break;
            }
            case 1:  // time passes
                now += std::chrono::seconds(op >> 2);
                peer->tick(now);
                break;
            case 2:
                peer->set_choked(op & 4);
                break;
            case 3:
                if (!peer->has_metadata()) peer->metadata_arrived(host);
                break;
        }
        io.poll();
        pending += remote->take();
        check_output(pending);
        if (pending.size() > PeerConnection::k_max_send_bytes + 64 * 1024) __builtin_trap();
    }
    peer->close("done");
    io.poll();
    return 0;
}
