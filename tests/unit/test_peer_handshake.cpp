// The one handshake step, both ways, over in-memory streams.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include "memory_stream.hpp"
#include "peer_test_host.hpp"
#include "swarm/peer_handshake.hpp"

namespace shoal {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using test::MemoryStream;
using namespace std::chrono_literals;

const tcp::endpoint k_dialer(asio::ip::make_address("198.51.100.1"), 40000);
const tcp::endpoint k_listener(asio::ip::make_address("198.51.100.2"), 6881);

wire::PeerId id_of(char c) {
    wire::PeerId id;
    id.fill(static_cast<std::uint8_t>(c));
    return id;
}

SwarmId hybrid_swarm() {
    SwarmId s;
    s.v1 = InfoHashV1{};
    s.v1->bytes.fill(0x11);
    s.v2 = InfoHashV2{};
    s.v2->bytes.fill(0x22);
    return s;
}

class PeerHandshakeTest : public ::testing::Test {
protected:
    void SetUp() override { std::tie(dialer_end, listener_end) = MemoryStream::pair(io.get_executor(), k_dialer, k_listener); }

    void dial(SwarmId swarm, std::chrono::milliseconds timeout = 5s) {
        asio::co_spawn(io, [this, swarm, timeout]() -> asio::awaitable<void> {
            dialed.emplace(co_await handshake_outgoing(std::move(dialer_end), swarm, id_of('d'), timeout));
        }, asio::detached);
    }
    void accept(std::vector<SwarmId> ours, std::chrono::milliseconds timeout = 5s) {
        FindSwarm find = [ours](const SwarmHash& hash) -> std::optional<SwarmId> {
            for (const auto& s : ours) {
                if (s.matches(hash)) return s;
            }
            return std::nullopt;
        };
        asio::co_spawn(io, [this, find, timeout]() -> asio::awaitable<void> {
            accepted.emplace(co_await handshake_incoming(std::move(listener_end), find, id_of('l'), timeout));
        }, asio::detached);
    }

    // Dials with an MSE handshake first, offering `offer`.
    void dial_encrypted(SwarmId swarm, std::uint32_t offer) {
        asio::co_spawn(
            io,
            [this, swarm, offer]() -> asio::awaitable<void> {
                dialed.emplace(co_await handshake_outgoing(std::move(dialer_end), swarm, id_of('d'),
                                                           5s, offer));
            },
            asio::detached);
    }
    void accept_with(std::vector<SwarmId> ours, EncryptionPolicy policy) {
        FindSwarm find =
            [ours](const SwarmHash& hash) -> std::optional<SwarmId> {
            for (const auto& s : ours) {
                if (s.matches(hash))
                    return s;
            }
            return std::nullopt;
        };
        std::vector<mse::StreamKey> all;
        for (const auto& s : ours) {
            for (const auto& name : s.names())
                all.push_back(name.bytes);
        }
        mse::FindStreamKey keys = mse::find_among(all);
        asio::co_spawn(
            io,
            [this, find, keys, policy]() -> asio::awaitable<void> {
                AcceptEncryption encryption{policy, keys};
                accepted.emplace(co_await handshake_incoming(
                    std::move(listener_end), find, id_of('l'), 5s, std::move(encryption)));
            },
            asio::detached);
    }
    static std::string error_of(const std::optional<Result<HandshakeDone>>& r) {
        if (!r)
            return "did not finish";
        return *r ? "succeeded" : r->error().message;
    }

    asio::io_context io;
    std::unique_ptr<MemoryStream> dialer_end, listener_end;
    std::optional<Result<HandshakeDone>> dialed, accepted;
    std::unique_ptr<net::PeerStream> dialer_keep;
};

TEST_F(PeerHandshakeTest, BothSidesLearnTheOthersPeerIdAndKeepTheStream) {
    const SwarmId swarm = SwarmId::of(test::made_up_torrent(4));
    dial(swarm);
    accept({swarm});
    io.run_for(2s);
    ASSERT_TRUE(dialed && *dialed) << (dialed ? dialed->error().message : "did not finish");
    ASSERT_TRUE(accepted && *accepted) << (accepted ? accepted->error().message : "did not finish");
    EXPECT_EQ((*dialed)->theirs.peer_id, id_of('l'));
    EXPECT_EQ((*accepted)->theirs.peer_id, id_of('d'));
    EXPECT_EQ((*accepted)->theirs.info_hash, swarm.wire_hash().bytes);
    EXPECT_TRUE((*accepted)->theirs.supports_extensions());
    EXPECT_TRUE((*accepted)->theirs.supports_fast());
    EXPECT_EQ((*dialed)->stream->remote_endpoint(), k_listener);
    EXPECT_EQ((*accepted)->stream->remote_endpoint(), k_dialer);
}

TEST_F(PeerHandshakeTest, AHybridNamedByItsV1HashAnswersWithTheV2Hash) {
    const SwarmId swarm = hybrid_swarm();
    dial(swarm);  // names it by v1 and sets the v2 bit
    accept({swarm});
    io.run_for(2s);
    ASSERT_TRUE(dialed && *dialed) << (dialed ? dialed->error().message : "did not finish");
    std::array<std::uint8_t, 20> truncated_v2{};
    truncated_v2.fill(0x22);
    EXPECT_EQ((*dialed)->theirs.info_hash, truncated_v2);
    EXPECT_TRUE((*dialed)->theirs.supports_v2());
}

TEST_F(PeerHandshakeTest, AHybridAskedByAV1OnlyPeerAnswersWithV1) {
    SwarmId v1_only = hybrid_swarm();
    v1_only.v2.reset();
    dial(v1_only);
    accept({hybrid_swarm()});
    io.run_for(2s);
    ASSERT_TRUE(dialed && *dialed) << (dialed ? dialed->error().message : "did not finish");
    EXPECT_EQ((*dialed)->theirs.info_hash, v1_only.v1->bytes);
}

TEST_F(PeerHandshakeTest, AnUnknownTorrentIsRefusedAndTheDialerToldSo) {
    dial(SwarmId::of(test::made_up_torrent(4)));
    accept({hybrid_swarm()});
    io.run_for(2s);
    ASSERT_TRUE(accepted && !*accepted);
    EXPECT_EQ(accepted->error().message, "a handshake for a torrent we do not have");
    ASSERT_TRUE(dialed && !*dialed);
    EXPECT_EQ(dialed->error().message, "closed during the handshake");
}

TEST_F(PeerHandshakeTest, AnAnswerForAnotherTorrentFailsTheDial) {
    dial(SwarmId::of(test::made_up_torrent(4)));
    std::string wrong = wire::encode_handshake({wire::our_reserved(false), hybrid_swarm().wire_hash().bytes, id_of('x')});
    listener_end->give(wrong);
    io.run_for(1s);
    ASSERT_TRUE(dialed && !*dialed);
    EXPECT_EQ(dialed->error().message, "not a handshake for this torrent");
}

TEST_F(PeerHandshakeTest, SomethingElseThanAHandshakeIsRefusedAtItsFirstBytes) {
    accept({hybrid_swarm()});
    dialer_end->give("GET /announce HTTP/1.1\r\n");  // the rest never comes
    io.run_for(1s);
    ASSERT_TRUE(accepted && !*accepted);
    EXPECT_EQ(accepted->error().message, "not a plain BitTorrent handshake");
}

TEST_F(PeerHandshakeTest, ASilentPeerTimesOut) {
    accept({hybrid_swarm()}, 30ms);
    dialer_end->give(std::string(wire::k_protocol));  // a plausible start, then nothing
    io.run_for(1s);
    ASSERT_TRUE(accepted && !*accepted);
    EXPECT_EQ(accepted->error().message, "no handshake in time");
}

TEST_F(PeerHandshakeTest, AnEncryptedHandshakeCarriesThePlainOneInside) {
    const SwarmId swarm = SwarmId::of(test::made_up_torrent(4));
    dial_encrypted(swarm, mse::k_rc4 | mse::k_plaintext);
    accept_with({hybrid_swarm(), swarm}, EncryptionPolicy::prefer);
    io.run_for(2s);
    ASSERT_TRUE(dialed && *dialed) << error_of(dialed);
    ASSERT_TRUE(accepted && *accepted) << error_of(accepted);
    EXPECT_TRUE((*dialed)->stream->encrypted());
    EXPECT_TRUE((*accepted)->stream->encrypted());
    EXPECT_EQ((*dialed)->theirs.peer_id, id_of('l'));
    EXPECT_EQ((*accepted)->theirs.peer_id, id_of('d'));
    EXPECT_EQ((*accepted)->theirs.info_hash, swarm.wire_hash().bytes);
}

TEST_F(PeerHandshakeTest, AV2SwarmIsFoundByItsTruncatedHashAsTheStreamKey) {
    SwarmId v2_only = hybrid_swarm();
    v2_only.v1.reset();  // dials by the truncated v2 hash, which is then the SKEY too
    dial_encrypted(v2_only, mse::k_rc4);
    accept_with({hybrid_swarm()}, EncryptionPolicy::require);
    io.run_for(2s);
    ASSERT_TRUE(dialed && *dialed) << error_of(dialed);
    ASSERT_TRUE(accepted && *accepted) << error_of(accepted);
    EXPECT_TRUE((*accepted)->stream->encrypted());
}

TEST_F(PeerHandshakeTest, RequireRefusesAPlainHandshake) {
    dial(hybrid_swarm());
    accept_with({hybrid_swarm()}, EncryptionPolicy::require);
    io.run_for(2s);
    ASSERT_TRUE(accepted && !*accepted);
    EXPECT_EQ(accepted->error().message, "a plain handshake, and encryption is required");
    EXPECT_TRUE(dialed && !*dialed);
}

TEST_F(PeerHandshakeTest, RequireRefusesAnOfferOfPlainTextOnly) {
    dial_encrypted(hybrid_swarm(), mse::k_plaintext);
    accept_with({hybrid_swarm()}, EncryptionPolicy::require);
    io.run_for(2s);
    ASSERT_TRUE(accepted && !*accepted);
    EXPECT_EQ(accepted->error().message, "the peer offers no encryption method we accept");
    EXPECT_TRUE(dialed && !*dialed);
}

TEST_F(PeerHandshakeTest, PreferTakesAnOfferOfPlainTextOnlyUnencrypted) {
    dial_encrypted(hybrid_swarm(), mse::k_plaintext);
    accept_with({hybrid_swarm()}, EncryptionPolicy::prefer);
    io.run_for(2s);
    ASSERT_TRUE(dialed && *dialed) << error_of(dialed);
    ASSERT_TRUE(accepted && *accepted) << error_of(accepted);
    EXPECT_FALSE((*dialed)->stream->encrypted());
    EXPECT_FALSE((*accepted)->stream->encrypted());
    // Both still know the handshake itself was encrypted (shown as `e`).
    EXPECT_TRUE((*dialed)->stream->encrypted_handshake());
    EXPECT_TRUE((*accepted)->stream->encrypted_handshake());
}

TEST_F(PeerHandshakeTest, DisableRefusesAnEncryptedHandshake) {
    dial_encrypted(hybrid_swarm(), mse::k_rc4 | mse::k_plaintext);
    accept_with({hybrid_swarm()}, EncryptionPolicy::disable);
    io.run_for(2s);
    ASSERT_TRUE(accepted && !*accepted);
    EXPECT_EQ(accepted->error().message, "not a plain BitTorrent handshake");
    EXPECT_TRUE(dialed && !*dialed);
}

TEST_F(PeerHandshakeTest, PreferStillTakesAPlainHandshake) {
    dial(hybrid_swarm());
    accept_with({hybrid_swarm()}, EncryptionPolicy::prefer);
    io.run_for(2s);
    ASSERT_TRUE(accepted && *accepted) << error_of(accepted);
    EXPECT_FALSE((*accepted)->stream->encrypted());
    EXPECT_FALSE((*accepted)->stream->encrypted_handshake());
}

TEST_F(PeerHandshakeTest, TheHandshakeInsideMustNameTheTorrentTheEncryptionNamed) {
    const SwarmId other = SwarmId::of(test::made_up_torrent(4));
    const std::string inside =
        wire::encode_handshake({wire::our_reserved(false), other.wire_hash().bytes, id_of('d')});
    asio::co_spawn(
        io,
        [this, inside]() -> asio::awaitable<void> {
            auto stream = std::move(dialer_end);
            std::string payload = inside;
            auto done = co_await mse::handshake_as_initiator(
                std::move(stream), hybrid_swarm().wire_hash().bytes, mse::k_rc4, std::move(payload));
            EXPECT_TRUE(done);
            if (done)
                dialer_keep = std::move(done->stream);
        },
        asio::detached);
    accept_with({hybrid_swarm(), other}, EncryptionPolicy::prefer);
    io.run_for(2s);
    ASSERT_TRUE(accepted && !*accepted);
    EXPECT_EQ(accepted->error().message,
              "a handshake for another torrent than the encryption named");
}

TEST(EncryptionPolicyTest, NamesAndParsesTheThreePolicies) {
    for (auto p :
         {EncryptionPolicy::prefer, EncryptionPolicy::require, EncryptionPolicy::disable}) {
        EXPECT_EQ(parse_encryption_policy(encryption_policy_name(p)), p);
    }
    EXPECT_EQ(encryption_policy_name(EncryptionPolicy::require), "require");
    EXPECT_FALSE(parse_encryption_policy("forced"));
    EXPECT_FALSE(parse_encryption_policy(""));
    EXPECT_FALSE(parse_encryption_policy("Prefer"));
}

TEST(SwarmIdTest, MatchesV1AndTruncatedV2ButNotOtherHashes) {
    const SwarmId s = hybrid_swarm();
    SwarmHash h;
    h.bytes.fill(0x11);
    EXPECT_TRUE(s.matches(h));
    h.bytes.fill(0x22);
    EXPECT_TRUE(s.matches(h));
    h.bytes.fill(0x33);
    EXPECT_FALSE(s.matches(h));
    SwarmId v2_only = s;
    v2_only.v1.reset();
    h.bytes.fill(0x22);
    EXPECT_EQ(v2_only.wire_hash(), h);
}

}  // namespace
}  // namespace shoal
