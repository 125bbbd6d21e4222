// The MSE handshake, both roles, over in-memory streams: whole handshakes, the limits of the
// synchronisation, and a scripted peer that goes wrong at each step.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "encryption/encrypted_stream.hpp"
#include "encryption/mse_handshake.hpp"
#include "encryption/rc4.hpp"
#include "memory_stream.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace shoal::mse {
namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using test::MemoryStream;
using namespace std::chrono_literals;

const tcp::endpoint k_a(asio::ip::make_address("198.51.100.1"), 40000);
const tcp::endpoint k_b(asio::ip::make_address("198.51.100.2"), 6881);

StreamKey key_of(std::uint8_t c) {
    StreamKey k;
    k.fill(c);
    return k;
}
std::string view_of(std::span<const std::uint8_t> bytes) {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}
std::string u16(std::size_t v) {
    return {static_cast<char>(v >> 8), static_cast<char>(v & 0xff)};
}
std::string u32(std::uint32_t v) {
    return {static_cast<char>(v >> 24), static_cast<char>(v >> 16 & 0xff),
            static_cast<char>(v >> 8 & 0xff), static_cast<char>(v & 0xff)};
}
Rc4 keyed(const Sha1Hash& key) {
    Rc4 rc4(key.bytes);
    rc4.discard(1024);
    return rc4;
}
std::string crypt(Rc4& rc4, std::string bytes) {
    rc4.apply({reinterpret_cast<std::uint8_t*>(bytes.data()), bytes.size()});
    return bytes;
}

class MseHandshakeTest : public ::testing::Test {
  protected:
    void SetUp() override {
        std::tie(a_end, b_end) = MemoryStream::pair(io.get_executor(), k_a, k_b);
    }

    void initiate(StreamKey skey, std::uint32_t provide, std::string payload,
                  Options options = {}) {
        asio::co_spawn(
            io,
            [this, skey, provide, payload, options]() -> asio::awaitable<void> {
                a_done.emplace(co_await handshake_as_initiator(std::move(a_end), skey, provide,
                                                               payload, options));
            },
            asio::detached);
    }
    void receive(std::vector<StreamKey> ours, std::uint32_t accept, Options options = {}) {
        asio::co_spawn(
            io,
            [this, ours, accept, options]() -> asio::awaitable<void> {
                // Named, not temporaries: GCC 12 destroys a temporary argument of a co_awaited
                // coroutine call twice.
                FindStreamKey keys = find_among(ours);
                std::string none;
                b_done.emplace(co_await handshake_as_receiver(std::move(b_end), std::move(none),
                                                              std::move(keys), accept, options));
            },
            asio::detached);
    }
    // Exactly `n` bytes from `stream`, or what the error was.
    std::string read_exactly(net::PeerStream& stream, std::size_t n) {
        std::string out(n, '\0');
        boost::system::error_code ec;
        bool finished = false;
        asio::co_spawn(
            io,
            [&]() -> asio::awaitable<void> {
                co_await asio::async_read(stream, asio::buffer(out),
                                          asio::redirect_error(asio::use_awaitable, ec));
                finished = true;
            },
            asio::detached);
        run();
        EXPECT_TRUE(finished);
        return ec ? "error: " + ec.message() : out;
    }
    void write_all(net::PeerStream& stream, std::string bytes) {
        asio::co_spawn(
            io,
            [&stream, bytes = std::move(bytes)]() -> asio::awaitable<void> {
                co_await asio::async_write(stream, asio::buffer(bytes), asio::use_awaitable);
            },
            asio::detached);
    }
    // Until nothing is ready to run (the handshake's deadline stays pending).
    void run() {
        io.restart();
        while (io.poll() > 0) {
        }
    }
    // Until every handshake ended, its deadline included.
    void run_out() {
        io.restart();
        io.run_for(5s);
    }
    static std::string error_of(const std::optional<Result<Established>>& r) {
        if (!r)
            return "did not finish";
        return *r ? "succeeded" : r->error().message;
    }

    asio::io_context io;
    std::unique_ptr<MemoryStream> a_end, b_end;
    std::optional<Result<Established>> a_done, b_done;
};

TEST_F(MseHandshakeTest, Rc4BothWaysWithTheInitialPayloadDeliveredFirst) {
    initiate(key_of(7), k_rc4 | k_plaintext, "the payload");
    receive({key_of(1), key_of(7)}, k_rc4 | k_plaintext);
    run();
    ASSERT_TRUE(a_done && *a_done) << error_of(a_done);
    ASSERT_TRUE(b_done && *b_done) << error_of(b_done);
    EXPECT_EQ((*a_done)->method, k_rc4);
    EXPECT_EQ((*b_done)->method, k_rc4);
    EXPECT_EQ((*b_done)->skey, key_of(7));
    auto& a = *(*a_done)->stream;
    auto& b = *(*b_done)->stream;
    EXPECT_TRUE(a.encrypted());
    EXPECT_TRUE(b.encrypted());
    EXPECT_EQ(b.remote_endpoint(), k_a);
    write_all(a, "and then more");
    EXPECT_EQ(read_exactly(b, 24), "the payloadand then more");
    write_all(b, "an answer");
    EXPECT_EQ(read_exactly(a, 9), "an answer");
}

TEST_F(MseHandshakeTest, MegabytesFlowBothWaysThroughTheCipher) {
    initiate(key_of(7), k_rc4, "");
    receive({key_of(7)}, k_rc4);
    run();
    ASSERT_TRUE(a_done && *a_done && b_done && *b_done)
        << error_of(a_done) << " / " << error_of(b_done);
    std::string big(3 * 1024 * 1024 + 17, '\0');
    for (std::size_t i = 0; i < big.size(); ++i)
        big[i] = static_cast<char>(i * 31 + i / 997);
    write_all(*(*a_done)->stream, big);
    write_all(*(*b_done)->stream, big.substr(1000));
    EXPECT_EQ(read_exactly(*(*b_done)->stream, big.size()), big);
    EXPECT_EQ(read_exactly(*(*a_done)->stream, big.size() - 1000), big.substr(1000));
}

TEST_F(MseHandshakeTest, PlaintextSelectedWhenTheReceiverOnlyAcceptsThat) {
    initiate(key_of(7), k_rc4 | k_plaintext, "hello");
    receive({key_of(7)}, k_plaintext);
    run();
    ASSERT_TRUE(a_done && *a_done) << error_of(a_done);
    ASSERT_TRUE(b_done && *b_done) << error_of(b_done);
    EXPECT_EQ((*a_done)->method, k_plaintext);
    EXPECT_FALSE((*a_done)->stream->encrypted());
    EXPECT_FALSE((*b_done)->stream->encrypted());
    write_all(*(*a_done)->stream, " world");
    EXPECT_EQ(read_exactly(*(*b_done)->stream, 11), "hello world");
    write_all(*(*b_done)->stream, "back");
    EXPECT_EQ(read_exactly(*(*a_done)->stream, 4), "back");
}

TEST_F(MseHandshakeTest, PaddingAtTheLimitIsFound) {
    Options padded;
    padded.padding = k_max_padding;
    initiate(key_of(7), k_rc4, "x", padded);
    receive({key_of(7)}, k_rc4, padded);
    run();
    EXPECT_TRUE(a_done && *a_done) << error_of(a_done);
    EXPECT_TRUE(b_done && *b_done) << error_of(b_done);
}

TEST_F(MseHandshakeTest, NoPaddingAtAll) {
    Options bare;
    bare.padding = 0;
    initiate(key_of(7), k_rc4, "x", bare);
    receive({key_of(7)}, k_rc4, bare);
    run();
    EXPECT_TRUE(a_done && *a_done) << error_of(a_done);
    EXPECT_TRUE(b_done && *b_done) << error_of(b_done);
}

TEST_F(MseHandshakeTest, TheReceiverRefusesPaddingOneBeyondTheLimit) {
    Options too_much;
    too_much.padding = k_max_padding + 1;
    initiate(key_of(7), k_rc4, "x", too_much);
    receive({key_of(7)}, k_rc4);
    run();
    ASSERT_TRUE(b_done && !*b_done);
    EXPECT_NE(b_done->error().message.find("first hash"), std::string::npos) << error_of(b_done);
}

TEST_F(MseHandshakeTest, TheInitiatorRefusesPaddingOneBeyondTheLimit) {
    Options too_much;
    too_much.padding = k_max_padding + 1;
    initiate(key_of(7), k_rc4, "x");
    receive({key_of(7)}, k_rc4, too_much);
    run();
    ASSERT_TRUE(a_done && !*a_done);
    EXPECT_NE(a_done->error().message.find("verification constant"), std::string::npos)
        << error_of(a_done);
}

TEST_F(MseHandshakeTest, AnUnknownTorrentIsRefused) {
    initiate(key_of(9), k_rc4, "x");
    receive({key_of(1), key_of(2)}, k_rc4);
    run();
    ASSERT_TRUE(b_done && !*b_done);
    EXPECT_EQ(b_done->error().code, ErrorCode::not_found) << error_of(b_done);
    EXPECT_TRUE(a_done && !*a_done);  // the receiver hung up
}

TEST_F(MseHandshakeTest, APeerOfferingOnlyPlaintextIsRefusedWhenRc4IsRequired) {
    initiate(key_of(7), k_plaintext, "x");
    receive({key_of(7)}, k_rc4);
    run();
    ASSERT_TRUE(b_done && !*b_done);
    EXPECT_EQ(b_done->error().code, ErrorCode::refused) << error_of(b_done);
    EXPECT_TRUE(a_done && !*a_done);
}

TEST_F(MseHandshakeTest, NothingInTimeEndsTheHandshake) {
    Options quick;
    quick.timeout = 50ms;
    receive({key_of(7)}, k_rc4, quick);
    const auto started = std::chrono::steady_clock::now();
    run_out();
    ASSERT_TRUE(b_done && !*b_done);
    EXPECT_EQ(b_done->error().code, ErrorCode::timeout) << error_of(b_done);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 2s);
}

TEST_F(MseHandshakeTest, TheInitiatorTimesOutOnASilentPeer) {
    Options quick;
    quick.timeout = 50ms;
    initiate(key_of(7), k_rc4, "x", quick);
    run_out();
    ASSERT_TRUE(a_done && !*a_done);
    EXPECT_EQ(a_done->error().code, ErrorCode::timeout) << error_of(a_done);
}

// A peer played by the test, byte by byte, with the library's own arithmetic.
class ScriptedPeerTest : public MseHandshakeTest {
  protected:
    std::string hello(std::size_t padding = 0) {
        return view_of(public_key(x)) + std::string(padding, 'p');
    }
    // From their 96-byte public key at the front of `bytes`.
    void learn(const std::string& bytes) {
        ASSERT_GE(bytes.size(), 96u);
        PublicKey y{};
        std::copy_n(bytes.data(), 96, reinterpret_cast<char*>(y.data()));
        auto secret = shared_secret(x, y);
        ASSERT_TRUE(secret);
        s = *secret;
    }
    // Step 3 as an initiator sends it, for `skey`, after learn().
    std::string step3(StreamKey skey, std::uint32_t provide, std::size_t pad_c, std::string ia,
                      std::string vc = std::string(8, '\0'),
                      std::optional<std::size_t> ia_len = {}) {
        Rc4 out = keyed(key_a(s, skey));
        return std::string(req1(s).view()) + std::string(req2_xor_req3(s, skey).view()) +
               crypt(out, vc + u32(provide) + u16(pad_c) + std::string(pad_c, '\0') +
                              u16(ia_len.value_or(ia.size())) + ia);
    }
    // Step 4 as a receiver sends it.
    std::string step4(StreamKey skey, std::uint32_t select, std::size_t pad_d) {
        Rc4 out = keyed(key_b(s, skey));
        return crypt(out,
                     std::string(8, '\0') + u32(select) + u16(pad_d) + std::string(pad_d, '\0'));
    }
    void receive_from_script(std::uint32_t accept = k_rc4 | k_plaintext) {
        asio::co_spawn(
            io,
            [this, accept]() -> asio::awaitable<void> {
                FindStreamKey keys = find_among({key_of(7)});
                std::string none;
                Options options;
                b_done.emplace(co_await handshake_as_receiver(std::move(b_end), std::move(none),
                                                              std::move(keys), accept, options));
            },
            asio::detached);
    }
    // Plays the initiator up to their Yb.
    void greet() {
        receive_from_script();
        a_end->give(hello(10));
        run();
        learn(a_end->take());
    }
    void expect_receiver_error(std::string_view words) {
        run();
        ASSERT_TRUE(b_done && !*b_done) << error_of(b_done);
        EXPECT_NE(b_done->error().message.find(words), std::string::npos)
            << b_done->error().message;
    }
    void expect_initiator_error(std::string_view words) {
        run();
        ASSERT_TRUE(a_done && !*a_done) << error_of(a_done);
        EXPECT_NE(a_done->error().message.find(words), std::string::npos)
            << a_done->error().message;
    }

    PrivateKey x = random_private_key();
    SharedSecret s{};
};

TEST_F(ScriptedPeerTest, ReceiverSeesTheScriptedHandshakeAndReceivesTheRestAfterIt) {
    greet();
    a_end->give(step3(key_of(7), k_rc4, 3, "IA"));
    run();
    ASSERT_TRUE(b_done && *b_done) << error_of(b_done);
    EXPECT_EQ(read_exactly(*(*b_done)->stream, 2), "IA");
}

TEST_F(ScriptedPeerTest, ReceiverClosedDuringYa) {
    receive_from_script();
    a_end->give(hello().substr(0, 50));
    a_end->close();
    expect_receiver_error("closed");
}

TEST_F(ScriptedPeerTest, ReceiverRefusesAZeroPublicKey) {
    receive_from_script();
    a_end->give(std::string(96, '\0'));
    expect_receiver_error("invalid public key");
}

TEST_F(ScriptedPeerTest, ReceiverRefusesGarbageWhereReq1Belongs) {
    greet();
    a_end->give(std::string(700, 'g'));
    expect_receiver_error("first hash");
}

TEST_F(ScriptedPeerTest, ReceiverClosedDuringReq2) {
    greet();
    a_end->give(step3(key_of(7), k_rc4, 0, "").substr(0, 30));
    a_end->close();
    expect_receiver_error("closed");
}

TEST_F(ScriptedPeerTest, ReceiverRefusesAWrongVerificationConstant) {
    greet();
    a_end->give(step3(key_of(7), k_rc4, 0, "", std::string(7, '\0') + "v"));
    expect_receiver_error("verification constant");
}

TEST_F(ScriptedPeerTest, ReceiverRefusesPadCBeyondTheLimit) {
    greet();
    a_end->give(step3(key_of(7), k_rc4, 513, ""));
    expect_receiver_error("too much padding");
}

TEST_F(ScriptedPeerTest, ReceiverClosedDuringPadC) {
    greet();
    a_end->give(step3(key_of(7), k_rc4, 300, "").substr(0, 40 + 14 + 100));
    a_end->close();
    expect_receiver_error("closed");
}

TEST_F(ScriptedPeerTest, ReceiverRefusesTooLongAnInitialPayload) {
    greet();
    a_end->give(step3(key_of(7), k_rc4, 0, "", std::string(8, '\0'), k_max_initial_payload + 1));
    expect_receiver_error("initial payload");
}

TEST_F(ScriptedPeerTest, ReceiverClosedDuringTheInitialPayload) {
    greet();
    a_end->give(step3(key_of(7), k_rc4, 0, "", std::string(8, '\0'), 100));
    a_end->close();
    expect_receiver_error("closed");
}

TEST_F(ScriptedPeerTest, ReceiverRefusesAPeerThatOffersNothing) {
    greet();
    a_end->give(step3(key_of(7), 0, 0, ""));
    expect_receiver_error("no encryption method");
}

TEST_F(ScriptedPeerTest, ReceiverRefusesAPeerOfferingOnlyUnknownMethods) {
    greet();
    a_end->give(step3(key_of(7), 0xf0, 0, ""));
    expect_receiver_error("no encryption method");
}

// The initiator's side, against a scripted receiver.
class ScriptedReceiverTest : public ScriptedPeerTest {
  protected:
    // Plays the receiver up to having read step 3.
    void answer_hello(std::size_t pad_b = 5) {
        initiate(key_of(7), k_rc4, "IA");
        run();
        learn(b_end->take());
        b_end->give(hello(pad_b));
        run();
        const std::string step3 = b_end->take();
        ASSERT_GE(step3.size(), 40u);
        EXPECT_EQ(step3.substr(0, 20), std::string(req1(s).view()));
    }
};

TEST_F(ScriptedReceiverTest, InitiatorFinishesWithBytesAfterPadDDeliveredFirst) {
    answer_hello();
    Rc4 out = keyed(key_b(s, key_of(7)));
    b_end->give(crypt(out, std::string(8, '\0') + u32(k_rc4) + u16(4) + "pppp" + "after"));
    run();
    ASSERT_TRUE(a_done && *a_done) << error_of(a_done);
    EXPECT_EQ(read_exactly(*(*a_done)->stream, 5), "after");
}

TEST_F(ScriptedReceiverTest, InitiatorClosedDuringYb) {
    initiate(key_of(7), k_rc4, "IA");
    run();
    b_end->give(hello().substr(0, 60));
    b_end->close();
    expect_initiator_error("closed");
}

TEST_F(ScriptedReceiverTest, InitiatorRefusesGarbageWhereTheVerificationConstantBelongs) {
    answer_hello();
    b_end->give(std::string(600, 'g'));
    expect_initiator_error("verification constant");
}

TEST_F(ScriptedReceiverTest, InitiatorRefusesAMethodItDidNotOffer) {
    answer_hello();
    b_end->give(step4(key_of(7), k_plaintext, 0));
    expect_initiator_error("did not offer");
}

TEST_F(ScriptedReceiverTest, InitiatorRefusesTwoMethodsSelectedAtOnce) {
    answer_hello();
    b_end->give(step4(key_of(7), k_rc4 | k_plaintext, 0));
    expect_initiator_error("did not offer");
}

TEST_F(ScriptedReceiverTest, InitiatorRefusesPadDBeyondTheLimit) {
    answer_hello();
    b_end->give(step4(key_of(7), k_rc4, 513));
    expect_initiator_error("too much padding");
}

TEST_F(ScriptedReceiverTest, InitiatorClosedDuringPadD) {
    answer_hello();
    b_end->give(step4(key_of(7), k_rc4, 200).substr(0, 50));
    b_end->close();
    expect_initiator_error("closed");
}

TEST_F(ScriptedReceiverTest, InitiatorClosedDuringSelect) {
    answer_hello();
    b_end->give(step4(key_of(7), k_rc4, 0).substr(0, 10));
    b_end->close();
    expect_initiator_error("closed");
}

// The PeerStream contract: each handler runs exactly once, never from within the call, also
// for bytes already held (the prefix) and for an empty write.
TEST_F(MseHandshakeTest, EncryptedStreamCompletesLaterAndOnce) {
    const std::array<std::uint8_t, 20> key{4, 5, 6};
    EncryptedStream stream(std::move(a_end), Rc4(key), Rc4(key), "held");
    EXPECT_TRUE(stream.encrypted());
    EXPECT_EQ(stream.remote_endpoint(), k_b);
    char buffer[8];
    int reads = 0, writes = 0;
    std::size_t got = 0;
    stream.async_read_some(asio::buffer(buffer), [&](boost::system::error_code ec, std::size_t n) {
        EXPECT_FALSE(ec);
        got = n;
        ++reads;
    });
    stream.async_write_some(std::vector<asio::const_buffer>{},
                            [&](boost::system::error_code ec, std::size_t n) {
                                EXPECT_FALSE(ec);
                                EXPECT_EQ(n, 0u);
                                ++writes;
                            });
    EXPECT_EQ(reads, 0);
    EXPECT_EQ(writes, 0);
    run();
    EXPECT_EQ(reads, 1);
    EXPECT_EQ(writes, 1);
    EXPECT_EQ(std::string(buffer, got), "held");
    // What it writes leaves encrypted: the other end sees RC4 of it.
    write_all(stream, "secret");
    run();
    std::string wire = b_end->take();
    Rc4 other(key);
    EXPECT_NE(wire, "secret");
    EXPECT_EQ(crypt(other, wire), "secret");
}

// Bytes handed over in place are encrypted where they lie (no copy); copied and in-place
// writes share one keystream, and a write larger than k_max_write goes out in parts.
TEST_F(MseHandshakeTest, EncryptedStreamEncryptsHandedOverBytesWhereTheyLie) {
    const std::array<std::uint8_t, 20> key{4, 5, 6};
    EncryptedStream stream(std::move(a_end), Rc4(key), Rc4(key), "");
    std::string first = "copied ";
    std::string second(EncryptedStream::k_max_write + 5, 'x');
    second[0] = '<';
    second.back() = '>';
    const std::string second_plain = second;
    write_all(stream, first);
    run();
    std::size_t written = 0;
    int writes = 0;
    std::vector<asio::mutable_buffer> handed{asio::buffer(second)};
    stream.async_write_some_in_place(handed, [&](boost::system::error_code ec, std::size_t n) {
        EXPECT_FALSE(ec);
        written = n;
        ++writes;
    });
    run();
    EXPECT_EQ(writes, 1);
    EXPECT_EQ(written, EncryptedStream::k_max_write);
    // The first k_max_write bytes were changed where they are, the rest left for the next write.
    EXPECT_NE(second.substr(0, written), second_plain.substr(0, written));
    EXPECT_EQ(second.substr(written), second_plain.substr(written));
    std::string wire = b_end->take();
    EXPECT_EQ(wire.substr(first.size()), second.substr(0, written));
    Rc4 other(key);
    EXPECT_EQ(crypt(other, wire), first + second_plain.substr(0, written));
}

TEST_F(MseHandshakeTest, PrefixedStreamDeliversItsPrefixFirst) {
    PrefixedStream stream(std::move(a_end), "first ");
    EXPECT_FALSE(stream.encrypted());
    EXPECT_TRUE(stream.encrypted_handshake());  // libtorrent's `e`: MSE, then plain text
    b_end->give("then the rest");
    EXPECT_EQ(read_exactly(stream, 19), "first then the rest");
}

// The fuzzer's seeds are handshakes made by an independent implementation in Python
// (tests/fuzz/make_mse_corpus.py) against a fixed receiver key: each must complete here.
TEST_F(MseHandshakeTest, HandshakesMadeByThePythonSeedScriptComplete) {
    const std::filesystem::path folder =
        std::filesystem::path(SHOAL_TEST_DATA) / "../fuzz/corpus/fuzz_mse_handshake";
    int seen = 0;
    for (const auto& name : {"rc4_with_handshake", "both_offered_padded", "plaintext_only"}) {
        SCOPED_TRACE(name);
        std::ifstream in(folder / name, std::ios::binary);
        std::stringstream bytes;
        bytes << in.rdbuf();
        const std::string seed = bytes.str();
        ASSERT_GT(seed.size(), 96u + 40u);
        std::tie(a_end, b_end) = MemoryStream::pair(io.get_executor(), k_a, k_b);
        b_done.reset();
        Options fixed;
        fixed.private_key = PrivateKey{};
        for (std::size_t i = 0; i < fixed.private_key->size(); ++i)
            (*fixed.private_key)[i] = static_cast<std::uint8_t>(0x21 + i);
        receive({key_of(0x11), key_of(0x22)}, k_rc4 | k_plaintext, fixed);
        a_end->give(seed.substr(1));
        run();
        ASSERT_TRUE(b_done && *b_done) << error_of(b_done);
        const bool with_handshake = std::string_view(name) != "plaintext_only";
        const std::string got = read_exactly(*(*b_done)->stream, with_handshake ? 68 + 4 : 4);
        EXPECT_EQ(got.substr(got.size() - 4), "more");
        if (with_handshake) {
            EXPECT_EQ(got.substr(0, 20), std::string("\x13") + "BitTorrent protocol");
        }
        ++seen;
    }
    EXPECT_EQ(seen, 3);
}

}  // namespace
}  // namespace shoal::mse
