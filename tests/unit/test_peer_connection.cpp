// One peer connection over an in-memory stream, with a test standing in for the torrent and
// for the peer: no sockets, no sleeps; time moves by passing it to tick().
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <set>

#include "memory_stream.hpp"
#include "peer_test_host.hpp"
#include "swarm/peer_connection.hpp"
#include "wire/extension_handshake.hpp"
#include "wire/ut_metadata.hpp"

namespace shoal {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using test::MemoryStream;
using wire::BlockRequest;
using wire::MessageId;
using namespace std::chrono_literals;

const tcp::endpoint k_us(asio::ip::make_address("198.51.100.1"), 6881);
const tcp::endpoint k_them(asio::ip::make_address("198.51.100.2"), 51413);

std::uint8_t id_of(const std::string& body) { return static_cast<std::uint8_t>(body.at(0)); }

BlockRequest block_of(const std::string& body) {
    auto message = wire::decode_message(body);
    if (auto* r = std::get_if<wire::Request>(&*message)) return r->block;
    if (auto* r = std::get_if<wire::Reject>(&*message)) return r->block;
    if (auto* c = std::get_if<wire::Cancel>(&*message)) return c->block;
    throw std::runtime_error("not a request, reject or cancel");
}

std::string message(MessageId id) {
    std::string out;
    wire::encode_simple(out, id);
    return out;
}

std::string request(MessageId id, BlockRequest b) {
    std::string out;
    wire::encode_request(out, id, b);
    return out;
}

// `interested`, then requests for the first two blocks of pieces 0 to 63 (2 MiB).
std::string interested_in_two_blocks_of_64_pieces() {
    std::string out = message(MessageId::interested);
    for (std::uint32_t p = 0; p < 64; ++p) {
        out += request(MessageId::request, {p, 0, wire::k_block_size});
        out += request(MessageId::request, {p, wire::k_block_size, wire::k_block_size});
    }
    return out;
}

class PeerConnectionTest : public ::testing::Test {
protected:
    void start(std::size_t pipe_capacity = 1 << 20, bool fast = true) {
        auto [ours, theirs] = MemoryStream::pair(io.get_executor(), k_us, k_them, pipe_capacity);
        remote = std::move(theirs);
        wire::Handshake handshake;
        handshake.reserved = wire::our_reserved(false);
        if (!fast) handshake.reserved[7] &= static_cast<std::uint8_t>(~0x04);
        handshake.peer_id.fill('p');
        peer = std::make_shared<PeerConnection>(std::move(ours), host, handshake);
        asio::co_spawn(io, [p = peer] { return p->run(); }, asio::detached);
        io.poll();
    }
    void TearDown() override {
        if (peer) peer->close("test over");
        io.poll();
    }

    // What we sent since the last look, as whole message bodies.
    std::vector<std::string> sent() {
        io.poll();
        pending += remote->take();
        return test::split_messages(pending);
    }
    std::vector<std::string> sent_with_id(MessageId id) {
        std::vector<std::string> out;
        for (auto& m : sent()) {
            if (!m.empty() && id_of(m) == static_cast<std::uint8_t>(id)) out.push_back(std::move(m));
        }
        return out;
    }
    void peer_sends(const std::string& bytes) {
        remote->give(bytes);
        io.poll();
    }

    asio::io_context io;
    test::PeerTestHost host{test::made_up_torrent(64)};
    std::unique_ptr<MemoryStream> remote;
    std::shared_ptr<PeerConnection> peer;
    std::string pending;
};

TEST_F(PeerConnectionTest, OpensWithWhatWeHaveThenTheExtensionHandshake) {
    host.picker().set_have(3);
    start();
    const auto messages = sent();
    ASSERT_GE(messages.size(), 2u);
    EXPECT_EQ(id_of(messages[0]), static_cast<std::uint8_t>(MessageId::bitfield));
    EXPECT_EQ(id_of(messages[1]), static_cast<std::uint8_t>(MessageId::extended));
    EXPECT_EQ(messages[1].at(1), 0) << "the extension handshake has extended id 0";
    EXPECT_TRUE(host.ready);
}

TEST_F(PeerConnectionTest, AFastPeerHearsHaveNoneWhenWeHaveNothing) {
    start();
    const auto messages = sent();
    ASSERT_FALSE(messages.empty());
    EXPECT_EQ(id_of(messages[0]), static_cast<std::uint8_t>(MessageId::have_none));
}

TEST_F(PeerConnectionTest, AsksOnlyOnceUnchokedAndThenInABatch) {
    start();
    sent();
    peer_sends(message(MessageId::have_all));
    EXPECT_EQ(sent_with_id(MessageId::interested).size(), 1u);
    EXPECT_TRUE(sent_with_id(MessageId::request).empty()) << "choked, and nothing offered as allowed fast";
    peer_sends(message(MessageId::unchoke));
    const auto requests = sent_with_id(MessageId::request);
    ASSERT_EQ(requests.size(), 16u);
    std::set<BlockRequest> distinct;
    for (const auto& r : requests) {
        const BlockRequest b = block_of(r);
        EXPECT_LT(b.piece, 64u);
        EXPECT_EQ(b.length, wire::k_block_size);
        distinct.insert(b);
    }
    EXPECT_EQ(distinct.size(), requests.size());
}

TEST_F(PeerConnectionTest, DeliveredBlocksReachTheTorrentAndKeepThePipelineFull) {
    start();
    peer_sends(message(MessageId::have_all) + message(MessageId::unchoke));
    const auto requests = sent_with_id(MessageId::request);
    ASSERT_EQ(requests.size(), 16u);
    std::string pieces;
    for (std::size_t i = 0; i < 8; ++i) {
        const BlockRequest b = block_of(requests[i]);
        wire::encode_piece_header(pieces, b.piece, b.begin, b.length);
        pieces.append(b.length, 'd');
    }
    peer_sends(pieces);
    EXPECT_EQ(host.blocks.size(), 8u);
    EXPECT_EQ(host.block_bytes, 8u * wire::k_block_size);
    EXPECT_GE(sent_with_id(MessageId::request).size(), 8u) << "the eight delivered are replaced";
    EXPECT_EQ(peer->stats().downloaded, static_cast<std::int64_t>(8 * wire::k_block_size));
}

TEST_F(PeerConnectionTest, RejectedBlocksAreAskedForAgain) {
    start();
    peer_sends(message(MessageId::have_all) + message(MessageId::unchoke));
    const auto requests = sent_with_id(MessageId::request);
    ASSERT_EQ(requests.size(), 16u);
    std::string rejects;
    std::set<BlockRequest> rejected;
    for (std::size_t i = 0; i < 4; ++i) {
        rejected.insert(block_of(requests[i]));
        rejects += request(MessageId::reject, block_of(requests[i]));
    }
    peer_sends(rejects);
    std::set<BlockRequest> again;
    for (const auto& r : sent_with_id(MessageId::request)) again.insert(block_of(r));
    EXPECT_EQ(again, rejected);
}

TEST_F(PeerConnectionTest, AChokedPeerIsRejectedAndAnUnchokedOneServed) {
    host.picker().set_have(5);
    start();
    sent();
    const BlockRequest b{5, 0, wire::k_block_size};
    peer_sends(message(MessageId::interested) + request(MessageId::request, b));
    EXPECT_EQ(host.interest_changes, 1);
    auto rejects = sent_with_id(MessageId::reject);
    ASSERT_EQ(rejects.size(), 1u);
    EXPECT_EQ(block_of(rejects[0]), b);

    peer->set_choked(false);
    EXPECT_EQ(sent_with_id(MessageId::unchoke).size(), 1u);
    peer_sends(request(MessageId::request, b));
    const auto pieces = sent_with_id(MessageId::piece);
    ASSERT_EQ(pieces.size(), 1u);
    EXPECT_EQ(pieces[0].size(), 9 + b.length);
    EXPECT_EQ(peer->stats().uploaded, b.length);
}

TEST_F(PeerConnectionTest, ChokingRejectsWhatTheFastPeerStillWaitsFor) {
    host.picker().set_have(5);
    start();
    peer->set_choked(false);
    sent();
    // Queued but not yet served: the upload loop runs only when the executor does.
    remote->give(message(MessageId::interested) + request(MessageId::request, {5, 0, wire::k_block_size}) +
                 request(MessageId::request, {5, wire::k_block_size, wire::k_block_size}));
    io.poll_one();
    io.poll_one();
    peer->set_choked(true);
    const auto messages = sent();
    std::size_t answered = 0;
    for (const auto& m : messages) {
        if (id_of(m) == static_cast<std::uint8_t>(MessageId::piece) ||
            id_of(m) == static_cast<std::uint8_t>(MessageId::reject)) {
            ++answered;
        }
    }
    EXPECT_EQ(answered, 2u) << "each request of a fast peer gets exactly one answer";
}

TEST_F(PeerConnectionTest, ASilentPeerIsSnubbedThenDropped) {
    start();
    peer_sends(message(MessageId::have_all) + message(MessageId::unchoke));
    const auto requests = sent_with_id(MessageId::request);
    ASSERT_FALSE(requests.empty());
    const auto now = PeerConnection::Clock::now();
    peer->tick(now + 10s);
    EXPECT_FALSE(peer->snubbed());
    peer->tick(now + 21s);
    io.poll();
    EXPECT_TRUE(peer->snubbed());
    const auto messages = sent();
    std::size_t cancels = 0, new_requests = 0;
    for (const auto& m : messages) {
        if (id_of(m) == static_cast<std::uint8_t>(MessageId::cancel)) ++cancels;
        if (id_of(m) == static_cast<std::uint8_t>(MessageId::request)) ++new_requests;
    }
    EXPECT_EQ(cancels, requests.size()) << "told, so that it does not send them later";
    EXPECT_EQ(new_requests, 1u) << "a snubbed peer gets one request at a time";
    EXPECT_TRUE(peer->is_open());
    peer->tick(now + 151s);
    EXPECT_FALSE(peer->is_open());
    EXPECT_EQ(host.closed_because, "inactive");
}

TEST_F(PeerConnectionTest, APeerThatStopsReadingIsClosedAfterTheStallTime) {
    for (std::size_t p = 0; p < 64; ++p) host.picker().set_have(p);
    start(64 * 1024);
    peer->set_choked(false);
    const std::string requests = interested_in_two_blocks_of_64_pieces();
    peer_sends(requests);  // and never reads: the pipe fills up
    const auto now = PeerConnection::Clock::now();
    peer->tick(now + 30s);
    EXPECT_TRUE(peer->is_open()) << "a slow reader is not a stalled one yet";
    peer->tick(now + 61s);
    EXPECT_FALSE(peer->is_open());
    EXPECT_EQ(host.closed_because, "stopped reading what we send");
}

// Blocks are read for a peer only while what we hold for it is within the host's allowance
// (the session's budget shared among its connections).
TEST_F(PeerConnectionTest, BlocksAreReadOnlyWithinTheSendAllowance) {
    for (std::size_t p = 0; p < 64; ++p) host.picker().set_have(p);
    host.allowance = SwarmHost::k_min_send_allowance;
    start(64 * 1024);
    peer->set_choked(false);
    const std::string requests = interested_in_two_blocks_of_64_pieces();
    peer_sends(requests);  // 2 MiB asked for, and never read
    io.poll();
    // The allowance, the 64 KiB the pipe took, and the one block always allowed, no more.
    EXPECT_GT(host.blocks_read, 0u);
    EXPECT_LE(host.blocks_read * wire::k_block_size,
              SwarmHost::k_min_send_allowance + 64 * 1024 + wire::k_block_size);
    EXPECT_TRUE(peer->is_open());
}

TEST_F(PeerConnectionTest, APeerThatAsksForMoreThanItReadsIsNotReadFromThenClosed) {
    start(64 * 1024);
    wire::HashRequest r{};
    r.pieces_root.bytes.fill(1);
    r.length = 64;
    std::string flood;
    for (int i = 0; i < 6000; ++i) wire::encode_hash_request(flood, MessageId::hash_request, r);
    peer_sends(flood);  // 6000 answers of 2 KiB each, never read
    io.poll();
    // Answering stops once what it has not read passes the pause mark: its other requests
    // cost nothing and its output stays bounded.
    const int answers = host.hash_requests_answered;
    EXPECT_LT(static_cast<std::size_t>(answers) * 2 * 1024, 2 * SwarmHost::k_max_send_allowance + 64 * 1024);
    EXPECT_GT(answers, 1000);
    EXPECT_TRUE(peer->is_open());
    io.poll();
    EXPECT_EQ(host.hash_requests_answered, answers) << "not read from while it does not read";
    const auto now = PeerConnection::Clock::now();
    peer->tick(now + 2s);
    EXPECT_TRUE(peer->is_open()) << "a moment to drain";
    peer->tick(now + PeerConnection::k_backlog_timeout + 1s);
    EXPECT_FALSE(peer->is_open());
    EXPECT_EQ(host.closed_because, "does not read what it asks for");
}

TEST_F(PeerConnectionTest, AnOversizedMessageIsAProtocolError) {
    start();
    std::string huge(4, '\0');
    huge[0] = 0x10;  // 256 MiB announced
    peer_sends(huge);
    EXPECT_FALSE(peer->is_open());
    ASSERT_TRUE(host.closed_because);
    EXPECT_EQ(host.closed_because->rfind("protocol error", 0), 0u) << *host.closed_because;
}

TEST_F(PeerConnectionTest, TheEndOfTheStreamClosesTheConnection) {
    start();
    remote->close();
    io.poll();
    EXPECT_FALSE(peer->is_open());
    EXPECT_EQ(host.closed_because, "closed by peer");
}

// The owner of a magnet link's connection before the metadata is in.
class MetadataTestHost final : public SwarmHost {
public:
    const wire::PeerId& our_peer_id() const override { return id_; }
    std::uint16_t listen_port() const override { return 6881; }
    SwarmHash wire_info_hash() const override { return {}; }
    asio::awaitable<void> throttle_upload(std::int64_t) override { co_return; }
    asio::awaitable<void> throttle_download(std::int64_t) override { co_return; }
    void on_peer_closed(PeerConnection&, const std::string& reason) override { closed_because = reason; }
    void on_peer_ready(PeerConnection&) override {}
    bool pex_enabled() const override { return false; }
    void on_pex(PeerConnection&, const wire::PexMessage&) override {}
    void on_extension_handshake(PeerConnection&) override { ++handshakes; }
    void on_metadata(PeerConnection&, const wire::MetadataMessage& m) override { metadata.push_back(m.piece); }

    int handshakes = 0;
    std::vector<std::uint32_t> metadata;
    std::optional<std::string> closed_because;

private:
    wire::PeerId id_{};
};

std::string extension_handshake(std::int64_t metadata_size) {
    wire::OurExtensions theirs;
    theirs.metadata_size = metadata_size;
    std::string out;
    wire::encode_extended(out, 0, wire::encode_extension_handshake(theirs));
    return out;
}

class PeerWithoutMetadataTest : public PeerConnectionTest {
protected:
    void start_without_metadata() {
        auto [ours, theirs] = MemoryStream::pair(io.get_executor(), k_us, k_them);
        remote = std::move(theirs);
        wire::Handshake handshake;
        handshake.reserved = wire::our_reserved(false);
        peer = std::make_shared<PeerConnection>(std::move(ours), static_cast<SwarmHost&>(owner), handshake);
        asio::co_spawn(io, [p = peer] { return p->run(); }, asio::detached);
        io.poll();
    }
    MetadataTestHost owner;
};

TEST_F(PeerWithoutMetadataTest, SpeaksOnlyTheExtensionProtocolAndAsksForMetadata) {
    start_without_metadata();
    const auto opening = sent();
    ASSERT_EQ(opening.size(), 2u);
    EXPECT_EQ(id_of(opening[0]), static_cast<std::uint8_t>(MessageId::have_none));
    auto ours = wire::decode_message(opening[1]);
    auto ext = wire::decode_extension_handshake(std::get<wire::Extended>(*ours).payload);
    ASSERT_TRUE(ext);
    EXPECT_FALSE(ext->metadata_size) << "we have no metadata to offer";

    peer_sends(extension_handshake(40000));
    EXPECT_EQ(owner.handshakes, 1);
    ASSERT_TRUE(peer->speaks_metadata());
    EXPECT_EQ(peer->their_metadata_size(), 40000);
    peer->send_metadata_request(2);
    const auto asked = sent_with_id(MessageId::extended);
    ASSERT_EQ(asked.size(), 1u);
    auto request = wire::decode_metadata_message(std::get<wire::Extended>(*wire::decode_message(asked[0])).payload);
    ASSERT_TRUE(request);
    EXPECT_EQ(request->piece, 2u);

    std::string data;
    wire::encode_extended(data, wire::k_ut_metadata_id,
                          wire::encode_metadata_data(2, 40000, std::string(40000 - 2 * 16384, 'm')));
    peer_sends(data);
    EXPECT_EQ(owner.metadata, std::vector<std::uint32_t>{2});
}

TEST_F(PeerWithoutMetadataTest, RefusesRequestsAndKeepsWhatThePeerHasUntilTheMetadataArrives) {
    start_without_metadata();
    sent();
    std::string bits(8, '\0');
    bits[0] = static_cast<char>(0x80);  // piece 0
    std::string bitfield;
    wire::encode_bitfield(bitfield, bits);
    std::string have;
    wire::encode_have(have, 9);
    peer_sends(bitfield + have + request(MessageId::request, {0, 0, wire::k_block_size}));
    EXPECT_EQ(sent_with_id(MessageId::reject).size(), 1u) << "nothing to serve yet";
    EXPECT_FALSE(peer->is_seed());

    peer->metadata_arrived(host);  // the torrent: 64 pieces
    EXPECT_TRUE(peer->has_metadata());
    EXPECT_TRUE(peer->pieces().test(0));
    EXPECT_TRUE(peer->pieces().test(9));
    EXPECT_EQ(peer->pieces().count(), 2u);
    EXPECT_EQ(sent_with_id(MessageId::interested).size(), 1u);
    peer->close("done");
    EXPECT_EQ(host.closed_because, "done") << "the torrent owns it now";
    EXPECT_FALSE(owner.closed_because);
}

TEST_F(PeerWithoutMetadataTest, AnEarlyBitfieldOfTheWrongSizeIsAProtocolErrorOnceTheSizeIsKnown) {
    start_without_metadata();
    std::string bitfield;
    wire::encode_bitfield(bitfield, std::string(3, '\xff'));
    peer_sends(bitfield);
    EXPECT_TRUE(peer->is_open());
    peer->metadata_arrived(host);
    EXPECT_FALSE(peer->is_open());
    EXPECT_EQ(host.closed_because, "protocol error: bitfield of the wrong size");
}

}  // namespace
}  // namespace shoal
