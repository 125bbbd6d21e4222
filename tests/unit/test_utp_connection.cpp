// UtpConnection without sockets: set-up, FIN and RESET, acks and resends driven packet by
// packet, hostile input, and whole transfers between two connections over a simulated link
// that loses, reorders and duplicates datagrams (a fixed seed, so every run is the same).
#include <gtest/gtest.h>

#include <algorithm>
#include <queue>
#include <random>
#include <vector>

#include "utp/connection.hpp"

namespace shoal::utp {
namespace {

using Bytes = std::vector<std::uint8_t>;
constexpr std::uint64_t k_ms = 1000;
constexpr std::uint64_t k_s = 1'000'000;

// Collects what a connection sends.
struct Capture {
    std::vector<Bytes> sent;
    UtpConnection::SendFunction fn() {
        return [this](std::span<const std::uint8_t> d) { sent.emplace_back(d.begin(), d.end()); };
    }
    Packet packet(std::size_t i) const {
        const auto parsed = parse_packet(sent.at(i));
        EXPECT_TRUE(parsed);
        return *parsed;
    }
    Packet last() const { return packet(sent.size() - 1); }
};

Bytes pattern(std::size_t n, std::uint32_t seed) {
    Bytes out(n);
    std::mt19937 rng(seed);
    for (auto& b : out)
        b = static_cast<std::uint8_t>(rng());
    return out;
}

// Packets of one size throughout (no path MTU probing), so the tests can count them.
UtpConfig fixed_size_config() {
    UtpConfig c;
    c.max_datagram = 0;
    return c;
}

UtpConfig roomy_config() {
    UtpConfig c = fixed_size_config();
    c.ledbat.initial_window = 16 * 1150;  // room for several packets from the start
    return c;
}

// Two connections joined by hand: every datagram is passed on explicitly.
struct Pair {
    Capture a_out, b_out;
    UtpConnection a;
    UtpConnection b;
    std::uint64_t now = 0;

    explicit Pair(const UtpConfig& config = roomy_config(),
                  const UtpConfig& b_config = roomy_config(), std::uint16_t a_seq = 1000,
                  std::uint16_t b_seq = 5000)
        : a(config, a_out.fn()), b(b_config, b_out.fn()) {
        a.connect(100, a_seq, now);
        EXPECT_TRUE(b.accept(a_out.last(), b_seq, now));
        a.on_packet(b_out.last(), now);
        b.on_packet(a_out.last(), now);  // a's ack: b is connected too
        EXPECT_EQ(a.state(), UtpState::connected);
        EXPECT_EQ(b.state(), UtpState::connected);
        a_out.sent.clear();
        b_out.sent.clear();
    }
    // Delivers everything each side has sent so far, until both are quiet.
    void exchange() {
        while (!a_out.sent.empty() || !b_out.sent.empty()) {
            auto to_b = std::move(a_out.sent);
            auto to_a = std::move(b_out.sent);
            a_out.sent.clear();
            b_out.sent.clear();
            for (const auto& d : to_b)
                b.on_datagram(d, now);
            for (const auto& d : to_a)
                a.on_datagram(d, now);
        }
    }
};

Bytes raw(const PacketHeader& h, const Bytes& payload = {}, const SelectiveAck* sack = nullptr) {
    Bytes out(encoded_size(sack, payload.size()));
    encode_packet(h, sack, payload, out);
    return out;
}

TEST(utp_connection, SetUpExchangesIdsAsBep29Says) {
    Capture a_out, b_out;
    UtpConnection a({}, a_out.fn());
    UtpConnection b({}, b_out.fn());
    a.connect(0x1234, 1, 0);
    ASSERT_EQ(a_out.sent.size(), 1u);
    const Packet syn = a_out.last();
    EXPECT_EQ(syn.header.type, PacketType::syn);
    EXPECT_EQ(syn.header.connection_id, 0x1234);
    EXPECT_EQ(syn.header.seq_nr, 1);
    EXPECT_EQ(a.state(), UtpState::syn_sent);
    EXPECT_EQ(a.send_id(), 0x1235);

    ASSERT_TRUE(b.accept(syn, 777, 10 * k_ms));
    EXPECT_EQ(b.state(), UtpState::syn_received);
    EXPECT_EQ(b.recv_id(), 0x1235);
    EXPECT_EQ(b.send_id(), 0x1234);
    const Packet state = b_out.last();
    EXPECT_EQ(state.header.type, PacketType::state);
    EXPECT_EQ(state.header.connection_id, 0x1234);
    EXPECT_EQ(state.header.ack_nr, 1);
    EXPECT_EQ(state.header.seq_nr, 777);

    a.on_packet(state, 20 * k_ms);
    EXPECT_EQ(a.state(), UtpState::connected);
    const Bytes hello{'h', 'i'};
    EXPECT_EQ(a.write(hello, 20 * k_ms), 2u);
    const Packet data = a_out.last();
    EXPECT_EQ(data.header.type, PacketType::data);
    EXPECT_EQ(data.header.connection_id, 0x1235);
    EXPECT_EQ(data.header.seq_nr, 2);
    EXPECT_EQ(data.header.ack_nr, 776);  // the STATE used no number up

    b.on_packet(data, 30 * k_ms);
    EXPECT_EQ(b.state(), UtpState::connected);
    Bytes got(10);
    got.resize(b.read(got, 30 * k_ms));
    EXPECT_EQ(got, hello);
    EXPECT_EQ(b_out.last().header.ack_nr, 2);
}

TEST(utp_connection, AcceptTakesOnlyASyn) {
    Capture out;
    UtpConnection b({}, out.fn());
    PacketHeader h;
    h.type = PacketType::data;
    const auto parsed = parse_packet(raw(h, {1}));
    EXPECT_FALSE(b.accept(*parsed, 1, 0));
    EXPECT_TRUE(out.sent.empty());
    EXPECT_EQ(b.state(), UtpState::idle);
}

TEST(utp_connection, LostStateIsAnsweredWhenTheSynIsResent) {
    Capture a_out, b_out;
    UtpConnection a({}, a_out.fn());
    UtpConnection b({}, b_out.fn());
    a.connect(50, 9, 0);
    ASSERT_TRUE(b.accept(a_out.last(), 300, 0));
    b_out.sent.clear();  // the STATE is lost
    a.on_tick(1 * k_s);
    ASSERT_EQ(a_out.sent.size(), 2u);
    EXPECT_EQ(a_out.last().header.type, PacketType::syn);
    b.on_datagram(a_out.sent[1], 1 * k_s);
    ASSERT_EQ(b_out.sent.size(), 1u);
    a.on_datagram(b_out.sent[0], 1 * k_s);
    EXPECT_EQ(a.state(), UtpState::connected);
    EXPECT_EQ(a.stats().retransmits, 1u);
}

TEST(utp_connection, UnansweredSynBacksOffAndTimesOut) {
    Capture out;
    UtpConnection a({}, out.fn());
    a.connect(1, 1, 0);
    std::vector<std::uint64_t> resent_at;
    for (std::uint64_t t = 0; t <= 30 * k_s && !a.done(); t += 10 * k_ms) {
        const std::size_t before = out.sent.size();
        a.on_tick(t);
        if (out.sent.size() > before)
            resent_at.push_back(t);
    }
    EXPECT_EQ(resent_at, (std::vector<std::uint64_t>{1 * k_s, 3 * k_s, 7 * k_s}));
    EXPECT_EQ(a.state(), UtpState::closed);
    EXPECT_EQ(a.close_reason(), CloseReason::timed_out);
    EXPECT_EQ(a.stats().timeouts, 4u);
}

TEST(utp_connection, FinBothWaysClosesBothSides) {
    Pair p;
    const Bytes one = pattern(3000, 1), two = pattern(500, 2);
    ASSERT_EQ(p.a.write(one, p.now), one.size());
    ASSERT_EQ(p.b.write(two, p.now), two.size());
    p.a.close(p.now);
    p.exchange();
    EXPECT_EQ(p.a.state(), UtpState::fin_sent);
    EXPECT_EQ(p.a.write(two, p.now), 0u);  // nothing is taken after close
    Bytes got(10'000);
    got.resize(p.b.read(got, p.now));
    EXPECT_EQ(got, one);
    EXPECT_TRUE(p.b.eof());
    EXPECT_EQ(p.b.state(), UtpState::connected);  // b may still send
    p.b.close(p.now);
    p.exchange();
    Bytes got_a(10'000);
    got_a.resize(p.a.read(got_a, p.now));
    EXPECT_EQ(got_a, two);
    EXPECT_TRUE(p.a.eof());
    EXPECT_EQ(p.a.state(), UtpState::closed);
    EXPECT_EQ(p.b.state(), UtpState::closed);
    EXPECT_EQ(p.a.close_reason(), CloseReason::finished);
    EXPECT_EQ(p.b.close_reason(), CloseReason::finished);
}

TEST(utp_connection, FinWaitsForDataStillMissing) {
    Pair p;
    ASSERT_EQ(p.a.write(pattern(2000, 3), p.now), 2000u);
    p.a.close(p.now);
    ASSERT_EQ(p.a_out.sent.size(), 3u);  // two data packets, then the FIN
    // The FIN and the second packet arrive; the first is late.
    p.b.on_datagram(p.a_out.sent[2], p.now);
    p.b.on_datagram(p.a_out.sent[1], p.now);
    EXPECT_FALSE(p.b.eof());
    p.b.on_datagram(p.a_out.sent[0], p.now);
    Bytes got(5000);
    got.resize(p.b.read(got, p.now));
    EXPECT_EQ(got, pattern(2000, 3));
    EXPECT_TRUE(p.b.eof());
}

TEST(utp_connection, ResetEndsTheOtherSide) {
    Pair p;
    p.a.abort(p.now);
    EXPECT_EQ(p.a.state(), UtpState::reset);
    ASSERT_EQ(p.a_out.sent.size(), 1u);
    EXPECT_EQ(p.a_out.last().header.type, PacketType::reset);
    p.exchange();
    EXPECT_EQ(p.b.state(), UtpState::reset);
    EXPECT_EQ(p.b.close_reason(), CloseReason::reset_by_peer);
    EXPECT_TRUE(p.b.done());
    EXPECT_EQ(p.b.write(pattern(10, 1), p.now), 0u);
}

TEST(utp_connection, ResetWithAForeignIdIsIgnored) {
    Pair p;
    PacketHeader h;
    h.type = PacketType::reset;
    h.connection_id = 4242;
    p.b.on_datagram(raw(h), p.now);
    EXPECT_EQ(p.b.state(), UtpState::connected);
    EXPECT_EQ(p.b.stats().bogus_connection_id, 1u);
}

TEST(utp_connection, SynFloodAndBogusIdsCostNothingButACount) {
    Pair p;
    std::mt19937 rng(7);
    const auto sent_before = p.b_out.sent.size();
    for (int i = 0; i < 10'000; ++i) {
        PacketHeader h;
        h.type = i % 2 ? PacketType::syn : PacketType::data;
        h.connection_id = static_cast<std::uint16_t>(rng());
        if (h.connection_id == p.b.recv_id() || h.connection_id == p.b.send_id())
            continue;
        h.seq_nr = static_cast<std::uint16_t>(rng());
        h.ack_nr = static_cast<std::uint16_t>(rng());
        p.b.on_datagram(raw(h, {1, 2, 3}), p.now);
    }
    p.b.on_datagram(Bytes{1, 2, 3}, p.now);
    EXPECT_EQ(p.b_out.sent.size(), sent_before);
    EXPECT_GT(p.b.stats().unexpected_syn, 4900u);
    EXPECT_GT(p.b.stats().bogus_connection_id, 4900u);
    EXPECT_EQ(p.b.stats().malformed, 1u);
    EXPECT_EQ(p.b.readable(), 0u);
    EXPECT_EQ(p.b.state(), UtpState::connected);
    // A SYN on the right id but another sequence number is no resend of the initiator's.
    PacketHeader h;
    h.type = PacketType::syn;
    h.connection_id = p.b.send_id();
    h.seq_nr = 31'337;
    p.b.on_datagram(raw(h), p.now);
    EXPECT_EQ(p.b_out.sent.size(), sent_before);
}

TEST(utp_connection, AcksOfUnsentPacketsAreIgnoredAndCounted) {
    Pair p;
    ASSERT_EQ(p.a.write(pattern(1150, 5), p.now), 1150u);
    const std::size_t in_flight = p.a.bytes_in_flight();
    ASSERT_EQ(in_flight, 1150u);
    const Packet data = p.a_out.last();
    PacketHeader h;
    h.type = PacketType::state;
    h.connection_id = p.a.recv_id();
    h.wnd_size = 1 << 20;
    h.ack_nr = static_cast<std::uint16_t>(data.header.seq_nr + 5);
    p.a.on_datagram(raw(h), p.now);
    EXPECT_EQ(p.a.stats().acks_of_unsent, 1u);
    EXPECT_EQ(p.a.bytes_in_flight(), in_flight);
    // The real ack still works.
    h.ack_nr = data.header.seq_nr;
    p.a.on_datagram(raw(h), p.now);
    EXPECT_EQ(p.a.bytes_in_flight(), 0u);
}

TEST(utp_connection, DuplicateDataIsDeliveredOnceAndAckedAgain) {
    Pair p;
    ASSERT_EQ(p.a.write(pattern(100, 6), p.now), 100u);
    const Bytes data = p.a_out.sent.back();
    p.b.on_datagram(data, p.now);
    p.b.on_datagram(data, p.now);
    EXPECT_EQ(p.b.stats().duplicates, 1u);
    EXPECT_EQ(p.b_out.sent.size(), 2u);  // both acked
    EXPECT_EQ(p.b.readable(), 100u);
}

TEST(utp_connection, OutOfOrderDataIsSelectivelyAcked) {
    Pair p;
    ASSERT_EQ(p.a.write(pattern(5 * 1150, 8), p.now), 5u * 1150);
    ASSERT_EQ(p.a_out.sent.size(), 5u);
    const std::uint16_t first = p.a_out.packet(0).header.seq_nr;
    // The first is lost; the third and fifth arrive.
    p.b.on_datagram(p.a_out.sent[2], p.now);
    p.b.on_datagram(p.a_out.sent[4], p.now);
    const Packet ack = p.b_out.last();
    EXPECT_EQ(ack.header.ack_nr, static_cast<std::uint16_t>(first - 1));
    ASSERT_TRUE(ack.has_sack);
    EXPECT_EQ(ack.sack.size_bytes(), 4u);
    // Bit i is ack_nr + 2 + i: the third packet (first + 2) is bit 1, the fifth bit 3.
    EXPECT_FALSE(ack.sack.test(0));
    EXPECT_TRUE(ack.sack.test(1));
    EXPECT_FALSE(ack.sack.test(2));
    EXPECT_TRUE(ack.sack.test(3));
    EXPECT_EQ(p.b.readable(), 0u);
    EXPECT_LT(ack.header.wnd_size, roomy_config().receive_buffer);  // held bytes use the window
}

TEST(utp_connection, SelectiveAcksOfThreeLaterPacketsResendTheMissingOne) {
    Pair p;
    ASSERT_EQ(p.a.write(pattern(5 * 1150, 9), p.now), 5u * 1150);
    const Bytes lost = p.a_out.sent[0];
    const auto to_b = p.a_out.sent;
    p.a_out.sent.clear();
    for (std::size_t i = 1; i < 4; ++i)
        p.b.on_datagram(to_b[i], p.now);
    const std::size_t window_before = p.a.congestion_window();
    for (const auto& ack : p.b_out.sent)
        p.a.on_datagram(ack, p.now);
    EXPECT_EQ(p.a.stats().fast_retransmits, 1u);
    ASSERT_FALSE(p.a_out.sent.empty());
    const auto resent = parse_packet(p.a_out.sent.front());
    const auto original = parse_packet(lost);
    ASSERT_TRUE(resent && original);
    EXPECT_EQ(resent->header.seq_nr, original->header.seq_nr);
    EXPECT_TRUE(std::equal(resent->payload.begin(), resent->payload.end(),
                           original->payload.begin(), original->payload.end()));
    EXPECT_LT(p.a.congestion_window(), window_before);  // a loss halves the window
}

// A STATE to A acking everything before `packet` (again and again: duplicate acks).
PacketHeader ack_before(const Pair& p, const Packet& packet) {
    PacketHeader h;
    h.type = PacketType::state;
    h.connection_id = p.a.recv_id();
    h.wnd_size = 1 << 20;
    h.ack_nr = static_cast<std::uint16_t>(packet.header.seq_nr - 1);
    return h;
}

TEST(utp_connection, ThreeDuplicateAcksResendTheNextPacket) {
    Pair p;
    ASSERT_EQ(p.a.write(pattern(4 * 1150, 10), p.now), 4u * 1150);
    const Packet first = p.a_out.packet(0);
    p.a_out.sent.clear();
    const PacketHeader h = ack_before(p, first);
    for (int i = 0; i < 2; ++i)
        p.a.on_datagram(raw(h), p.now);
    EXPECT_EQ(p.a.stats().fast_retransmits, 0u);
    p.a.on_datagram(raw(h), p.now);
    EXPECT_EQ(p.a.stats().fast_retransmits, 1u);
    ASSERT_EQ(p.a_out.sent.size(), 1u);
    EXPECT_EQ(p.a_out.last().header.seq_nr, first.header.seq_nr);
    EXPECT_EQ(p.a.stats().retransmits, 1u);
}

TEST(utp_connection, AFloodOfDuplicateAcksResendsOnce) {
    Pair p;
    ASSERT_EQ(p.a.write(pattern(4 * 1150, 14), p.now), 4u * 1150);
    const Packet first = p.a_out.packet(0);
    p.a_out.sent.clear();
    const PacketHeader h = ack_before(p, first);
    const Bytes ack = raw(h);
    for (int i = 0; i < 100'000; ++i)
        p.a.on_datagram(ack, p.now);
    EXPECT_EQ(p.a.stats().fast_retransmits, 1u);
    EXPECT_EQ(p.a_out.sent.size(), 1u);
    EXPECT_EQ(p.a.stats().packets_received, 100'000u + 1);  // and the set-up STATE
}

TEST(utp_connection, WritesStopAtTheSendBuffer) {
    UtpConfig c = roomy_config();
    c.send_buffer = 10'000;
    Pair p(c);
    const Bytes data = pattern(100'000, 15);
    const std::size_t taken = p.a.write(data, p.now);
    EXPECT_EQ(taken, 10'000u);
    // Eight full packets went out and freed their room; the last 800 bytes wait to fill a
    // packet while the others are in flight.
    EXPECT_EQ(p.a.bytes_in_flight(), 8u * 1150);
    EXPECT_EQ(p.a.writable(), 10'000u - 800);
    // Eight more fill the congestion window (16 packets); then the buffer fills and stays full.
    std::size_t offset = taken;
    offset += p.a.write(std::span(data).subspan(offset), p.now);
    EXPECT_EQ(p.a.bytes_in_flight(), 16u * 1150);
    EXPECT_EQ(offset, 10'000u + 9'200u);
    offset += p.a.write(std::span(data).subspan(offset), p.now);
    EXPECT_EQ(p.a.writable(), 0u);
    EXPECT_EQ(p.a.write(std::span(data).subspan(offset), p.now), 0u);
    EXPECT_EQ(p.a.bytes_in_flight(), 16u * 1150);
}

TEST(utp_connection, LostDataIsResentWithBackoffThenGivenUp) {
    Pair p;
    ASSERT_EQ(p.a.write(pattern(1000, 11), p.now), 1000u);
    p.a_out.sent.clear();
    std::vector<std::uint64_t> resent_at;
    for (std::uint64_t t = 0; t <= 200 * k_s && !p.a.done(); t += 10 * k_ms) {
        const std::size_t before = p.a_out.sent.size();
        p.a.on_tick(t);
        if (p.a_out.sent.size() > before && p.a_out.last().header.type == PacketType::data)
            resent_at.push_back(t);
    }
    // The first timeout after one second (no round trip sample yet), then doubling.
    ASSERT_EQ(resent_at.size(), 6u);
    EXPECT_EQ(resent_at[0], 1 * k_s);
    EXPECT_EQ(resent_at[1], 3 * k_s);
    EXPECT_EQ(resent_at[2], 7 * k_s);
    EXPECT_EQ(p.a.state(), UtpState::closed);
    EXPECT_EQ(p.a.close_reason(), CloseReason::timed_out);
    EXPECT_EQ(p.a.stats().timeouts, 7u);
    EXPECT_EQ(p.a.congestion_window(), p.a.packet_size());
}

TEST(utp_connection, IdleConnectionSendsKeepAlives) {
    Pair p;
    p.a.on_tick(28 * k_s);
    EXPECT_TRUE(p.a_out.sent.empty());
    EXPECT_EQ(p.a.next_deadline(), 29 * k_s);
    p.a.on_tick(29 * k_s);
    ASSERT_EQ(p.a_out.sent.size(), 1u);
    EXPECT_EQ(p.a_out.last().header.type, PacketType::state);
    p.a.on_tick(30 * k_s);
    EXPECT_EQ(p.a_out.sent.size(), 1u);
    EXPECT_EQ(p.a.next_deadline(), 58 * k_s);
}

TEST(utp_connection, SenderHonoursTheAdvertisedWindowAndResumesWhenItOpens) {
    UtpConfig small = roomy_config();
    small.receive_buffer = 6000;  // 4548 bytes advertised, the rest kept for a gap's packet
    Pair p(roomy_config(), small);
    const Bytes data = pattern(20'000, 12);
    ASSERT_EQ(p.a.write(data, p.now), data.size());
    p.exchange();
    EXPECT_EQ(p.b.readable(), 3450u);  // three packets fit in the window, a fourth does not
    EXPECT_EQ(p.b.stats().no_room, 0u);
    EXPECT_LT(p.a.peer_window(), 1150u);  // what is left cannot take a packet
    Bytes got;
    for (int round = 0; round < 100 && got.size() < data.size(); ++round) {
        Bytes chunk(1500);
        chunk.resize(p.b.read(chunk, p.now));
        got.insert(got.end(), chunk.begin(), chunk.end());
        p.exchange();
    }
    EXPECT_EQ(got, data);
    EXPECT_EQ(p.b.stats().no_room, 0u);
}

TEST(utp_connection, ShutWindowIsProbedAfterATimeout) {
    UtpConfig small = roomy_config();
    small.receive_buffer = 5000;  // 3548 bytes advertised
    Pair p(roomy_config(), small);
    ASSERT_EQ(p.a.write(pattern(8000, 13), p.now), 8000u);
    p.exchange();
    ASSERT_EQ(p.b.readable(), 3450u);
    EXPECT_EQ(p.a.peer_window(), 3548u - 3450u);  // shut: no packet fits
    EXPECT_EQ(p.a.bytes_in_flight(), 0u);         // so no ack will come to reopen it
    // The reader frees room for a packet, and the window update saying so is lost.
    Bytes some(1500);
    p.b.read(some, p.now);
    p.b_out.sent.clear();
    p.now = 3 * k_s;
    p.a.on_tick(p.now);
    ASSERT_FALSE(p.a_out.sent.empty());  // the probe
    p.exchange();
    EXPECT_EQ(p.b.readable(), 3450u - 1500u + 1150u);
}

TEST(utp_connection, DataFarAheadOrBeyondTheWindowIsDropped) {
    UtpConfig c = roomy_config();
    c.max_reorder_packets = 8;
    c.receive_buffer = 3000;
    Pair p(roomy_config(), c);
    PacketHeader h;
    h.type = PacketType::data;
    h.connection_id = p.b.recv_id();
    h.ack_nr = 4999;       // b's first number is 5000: this acks nothing
    h.seq_nr = 1000 + 20;  // a's SYN was 1000; far past the 8-packet reorder window
    p.b.on_datagram(raw(h, Bytes(100, 1)), p.now);
    EXPECT_EQ(p.b.stats().out_of_window, 1u);
    // Past the gap at 1001, packets may not take the room kept for the one that fills it:
    // of four 1000-byte packets a 3000-byte budget holds one.
    for (int i = 2; i < 6; ++i) {
        h.seq_nr = static_cast<std::uint16_t>(1000 + i);
        p.b.on_datagram(raw(h, Bytes(1000, 2)), p.now);
    }
    EXPECT_EQ(p.b.stats().no_room, 3u);
    EXPECT_EQ(p.b.readable(), 0u);
    // The packet filling the gap fits, and brings the one held after it.
    h.seq_nr = 1001;
    p.b.on_datagram(raw(h, Bytes(1000, 3)), p.now);
    EXPECT_EQ(p.b.readable(), 2000u);
    EXPECT_EQ(p.b.stats().no_room, 3u);
}

// A link between two connections that loses, duplicates and delays datagrams at random
// (a seeded generator), with a varying delay that reorders them.
class SimulatedLink {
  public:
    struct Profile {
        double loss = 0.0;
        double duplicate = 0.0;
        double reorder = 0.0;  // chance of up to `jitter_us` extra delay
        std::uint64_t delay_us = 20 * k_ms;
        std::uint64_t jitter_us = 30 * k_ms;
        // A bottleneck from a to b: bytes a millisecond it forwards (0: no limit), queueing
        // the rest, as a modem's send buffer does.
        std::uint64_t bytes_per_ms = 0;
        // The largest datagram the path carries whole (0: any). A larger one sent with the
        // Don't Fragment bit (a path MTU probe) is dropped; others arrive, fragmented.
        std::size_t path_mtu = 0;
    };
    SimulatedLink(std::uint32_t seed, Profile profile) : rng_(seed), profile_(profile) {}

    UtpConnection::SendFunction to(int side) {
        return [this, side](std::span<const std::uint8_t> d) { post(side, d); };
    }
    // The connection whose datagrams go to `side`: the link asks it whether one is a probe.
    void sender(int side, const UtpConnection& connection) { senders_[side] = &connection; }
    std::uint64_t probes_dropped = 0;
    // Delivers every datagram due by `now_us` to `deliver(side, bytes)`.
    template <class F>
    void run_until(std::uint64_t now_us, F&& deliver) {
        now_ = now_us;
        while (!queue_.empty() && queue_.top().at <= now_us) {
            Datagram d = queue_.top();
            queue_.pop();
            deliver(d.side, d.bytes);
        }
    }
    std::uint64_t delivered_late = 0;
    // (time sent, time spent in the bottleneck's queue) of each datagram from a to b.
    std::vector<std::pair<std::uint64_t, std::uint64_t>> queue_delays;

  private:
    struct Datagram {
        std::uint64_t at;
        std::uint64_t order;
        int side;
        Bytes bytes;
        bool operator>(const Datagram& o) const { return at != o.at ? at > o.at : order > o.order; }
    };
    void post(int side, std::span<const std::uint8_t> d) {
        if (profile_.path_mtu > 0 && d.size() > profile_.path_mtu && senders_[side] != nullptr &&
            senders_[side]->sending_probe()) {
            ++probes_dropped;
            return;
        }
        if (chance(profile_.loss))
            return;
        const int copies = chance(profile_.duplicate) ? 2 : 1;
        for (int i = 0; i < copies; ++i) {
            std::uint64_t depart = now_;
            if (profile_.bytes_per_ms > 0 && side == 1) {
                depart = std::max(now_, free_at_) + d.size() * 1000 / profile_.bytes_per_ms;
                free_at_ = depart;
                queue_delays.push_back({now_, depart - now_});
            }
            std::uint64_t at = depart + profile_.delay_us;
            if (chance(profile_.reorder)) {
                at += rng_() % (profile_.jitter_us + 1);
                ++delivered_late;
            }
            queue_.push({at, order_++, side, Bytes(d.begin(), d.end())});
        }
    }
    bool chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng_) < p; }

    std::mt19937 rng_;
    Profile profile_;
    std::uint64_t now_ = 0;
    std::uint64_t free_at_ = 0;  // when the bottleneck has sent all it holds
    std::uint64_t order_ = 0;
    std::priority_queue<Datagram, std::vector<Datagram>, std::greater<>> queue_;
    std::array<const UtpConnection*, 2> senders_{};
};

struct TransferResult {
    bool finished = false;
    Bytes received_by_b;
    Bytes received_by_a;
    UtpStats a, b;
    UtpState a_state = UtpState::idle, b_state = UtpState::idle;
    CloseReason a_reason = CloseReason::none, b_reason = CloseReason::none;
    std::uint64_t elapsed_us = 0;
    std::size_t a_packet_size = 0;  // when the transfer ended
    std::uint64_t probes_dropped = 0;
};

// `to_b` goes from a to b and `to_a` back, at once; then both close. Each side reads at most
// `read_per_ms` bytes a millisecond.
TransferResult transfer(const Bytes& to_b, const Bytes& to_a, SimulatedLink::Profile profile,
                        std::uint32_t seed, std::uint16_t a_seq, std::uint16_t b_seq,
                        const UtpConfig& config = {}, std::size_t read_per_ms = 64 * 1024) {
    SimulatedLink link(seed, profile);
    UtpConnection a(config, link.to(1));
    UtpConnection b(config, link.to(0));
    link.sender(1, a);
    link.sender(0, b);
    TransferResult r;
    std::size_t a_written = 0, b_written = 0;
    std::uint64_t now = 0;
    a.connect(0x7000, a_seq, now);
    Bytes chunk(read_per_ms);
    const auto deliver = [&](int side, const Bytes& d) {
        if (side == 0) {
            a.on_datagram(d, now);
            return;
        }
        if (b.state() == UtpState::idle) {
            const auto parsed = parse_packet(d);
            if (parsed && parsed->header.type == PacketType::syn)
                b.accept(*parsed, b_seq, now);
            return;
        }
        b.on_datagram(d, now);
    };
    for (; now < 600 * k_s; now += 1 * k_ms) {
        link.run_until(now, deliver);
        a.on_tick(now);
        b.on_tick(now);
        if (a.writable() > 0 && a_written < to_b.size())
            a_written += a.write(std::span(to_b).subspan(a_written), now);
        if (b.writable() > 0 && b_written < to_a.size())
            b_written += b.write(std::span(to_a).subspan(b_written), now);
        const std::size_t nb = b.read(chunk, now);
        r.received_by_b.insert(r.received_by_b.end(), chunk.begin(), chunk.begin() + nb);
        const std::size_t na = a.read(chunk, now);
        r.received_by_a.insert(r.received_by_a.end(), chunk.begin(), chunk.begin() + na);
        if (a_written == to_b.size() && a.state() == UtpState::connected)
            a.close(now);
        if (b_written == to_a.size() && b.state() == UtpState::connected)
            b.close(now);
        if (a.done() && b.done())
            break;
    }
    // What arrived after the last read.
    for (std::size_t n; (n = b.read(chunk, now)) > 0;)
        r.received_by_b.insert(r.received_by_b.end(), chunk.begin(), chunk.begin() + n);
    for (std::size_t n; (n = a.read(chunk, now)) > 0;)
        r.received_by_a.insert(r.received_by_a.end(), chunk.begin(), chunk.begin() + n);
    r.finished = a.done() && b.done();
    r.a = a.stats();
    r.b = b.stats();
    r.a_state = a.state();
    r.b_state = b.state();
    r.a_reason = a.close_reason();
    r.b_reason = b.close_reason();
    r.elapsed_us = now;
    r.a_packet_size = a.packet_size();
    r.probes_dropped = link.probes_dropped;
    return r;
}

void expect_exact(const TransferResult& r, const Bytes& to_b, const Bytes& to_a) {
    ASSERT_TRUE(r.finished) << "a " << state_name(r.a_state) << ", b " << state_name(r.b_state);
    EXPECT_EQ(r.a_state, UtpState::closed);
    EXPECT_EQ(r.b_state, UtpState::closed);
    EXPECT_EQ(r.a_reason, CloseReason::finished);
    EXPECT_EQ(r.b_reason, CloseReason::finished);
    ASSERT_EQ(r.received_by_b.size(), to_b.size());
    EXPECT_TRUE(r.received_by_b == to_b);
    ASSERT_EQ(r.received_by_a.size(), to_a.size());
    EXPECT_TRUE(r.received_by_a == to_a);
}

TEST(utp_transfer, CleanLinkCarries2MiB) {
    const Bytes data = pattern(2 * 1024 * 1024, 21);
    const auto r = transfer(data, {}, {}, 1, 1, 20'000);
    expect_exact(r, data, {});
    EXPECT_EQ(r.a.retransmits, 0u);
    EXPECT_EQ(r.b.duplicates, 0u);
    EXPECT_LT(r.elapsed_us, 30 * k_s);
}

TEST(utp_transfer, PathMtuDiscoveryGrowsPacketsToWhatThePathCarries) {
    const Bytes data = pattern(2 * 1024 * 1024, 26);
    // Nothing in the way: up to the largest size tried, a 1,500-byte IPv6 packet's.
    const auto open = transfer(data, {}, {}, 6, 1, 2);
    expect_exact(open, data, {});
    EXPECT_GE(open.a_packet_size, UtpConfig{}.max_datagram - 26 - 16);
    EXPECT_LE(open.a_packet_size, UtpConfig{}.max_datagram - 26);
    EXPECT_EQ(open.a.mtu_probes_lost, 0u);
    EXPECT_EQ(open.a.retransmits, 0u);

    // A path that takes 1,300 bytes: probes above are dropped, and their data still arrives
    // (resent without the Don't Fragment bit); the search ends within 16 bytes below it.
    SimulatedLink::Profile narrow;
    narrow.path_mtu = 1300;
    const auto r = transfer(data, {}, narrow, 7, 1, 2);
    expect_exact(r, data, {});
    EXPECT_GT(r.probes_dropped, 0u);
    EXPECT_EQ(r.a.mtu_probes_lost, r.probes_dropped);
    EXPECT_GE(r.a_packet_size, 1300 - 26 - 16);
    EXPECT_LE(r.a_packet_size, 1300 - 26);
    // A lost probe is not congestion: no more resends than probes lost.
    EXPECT_EQ(r.a.retransmits, r.a.mtu_probes_lost);
}

TEST(utp_transfer, LossReorderingAndDuplicationStillDeliverEveryByteOnceInOrder) {
    SimulatedLink::Profile lossy;
    lossy.loss = 0.03;
    lossy.duplicate = 0.03;
    lossy.reorder = 0.1;
    const Bytes data = pattern(2 * 1024 * 1024, 22);
    const Bytes back = pattern(300 * 1024, 23);
    const auto r = transfer(data, back, lossy, 2, 4321, 60'000);
    expect_exact(r, data, back);
    EXPECT_GT(r.a.retransmits, 0u);
    EXPECT_GT(r.a.fast_retransmits, 0u);
    EXPECT_GT(r.b.duplicates, 0u);
    EXPECT_EQ(r.a.acks_of_unsent + r.b.acks_of_unsent, 0u);
}

TEST(utp_transfer, SequenceNumbersWrapPastFfff) {
    SimulatedLink::Profile lossy;
    lossy.loss = 0.02;
    lossy.duplicate = 0.02;
    lossy.reorder = 0.1;
    const Bytes data = pattern(2 * 1024 * 1024, 24);
    const Bytes back = pattern(200 * 1024, 25);
    // Both sides start just below the wrap, so both cross it within the first packets.
    const auto r = transfer(data, back, lossy, 3, 0xfff0, 0xfffa);
    expect_exact(r, data, back);
}

TEST(utp_transfer, ASlowReaderWithASmallWindowUnderLossGetsEverything) {
    SimulatedLink::Profile lossy;
    lossy.loss = 0.05;
    lossy.duplicate = 0.05;
    lossy.reorder = 0.2;
    UtpConfig small;
    small.receive_buffer = 16 * 1024;
    small.send_buffer = 32 * 1024;
    const Bytes data = pattern(512 * 1024, 28);
    const Bytes back = pattern(64 * 1024, 29);
    const auto r = transfer(data, back, lossy, 5, 0xff00, 0x00ff, small, 700);
    expect_exact(r, data, back);
    // The sender keeps to the advertised window; the few packets refused for room are the
    // ones a sender may send regardless (a probe, the first resend after a timeout) and
    // spurious resends whose originals arrived after all.
    EXPECT_LT(r.b.no_room * 100, r.b.packets_received);
}

TEST(utp_transfer, HeavyLossIsSurvived) {
    SimulatedLink::Profile bad;
    bad.loss = 0.15;
    bad.duplicate = 0.05;
    bad.reorder = 0.3;
    const Bytes data = pattern(256 * 1024, 26);
    const auto r = transfer(data, pattern(10'000, 27), bad, 4, 65'000, 3);
    expect_exact(r, data, pattern(10'000, 27));
}

TEST(utp_transfer, LedbatKeepsTheBottleneckQueueNearTheTargetAndTheLinkBusy) {
    // 1 MB/s with 20 ms each way: a window of about 140 KB fills the pipe and a 100 ms queue.
    SimulatedLink::Profile bottleneck;
    bottleneck.bytes_per_ms = 1000;
    SimulatedLink link(6, bottleneck);
    UtpConnection a({}, link.to(1));
    UtpConnection b({}, link.to(0));
    std::uint64_t now = 0;
    a.connect(0x4000, 1, now);
    const Bytes data = pattern(6 * 1024 * 1024, 30);
    std::size_t written = 0;
    Bytes received, chunk(64 * 1024);
    const auto deliver = [&](int side, const Bytes& d) {
        if (side == 0) {
            a.on_datagram(d, now);
        } else if (b.state() == UtpState::idle) {
            const auto syn = parse_packet(d);
            ASSERT_TRUE(syn);
            b.accept(*syn, 2, now);
        } else {
            b.on_datagram(d, now);
        }
    };
    for (; now < 60 * k_s && received.size() < data.size(); now += 1 * k_ms) {
        link.run_until(now, deliver);
        a.on_tick(now);
        b.on_tick(now);
        written += a.write(std::span(data).subspan(written), now);
        const std::size_t n = b.read(chunk, now);
        received.insert(received.end(), chunk.begin(), chunk.begin() + n);
    }
    ASSERT_TRUE(received == data);
    // Slow start overshoots once; from two seconds on, the queue stays below 130 ms (until
    // the last second, when the data runs out and the queue drains). The overshoot, twice the
    // target, is cut by halving (Ledbat::yield_to_other_flows), so the queue may dip well
    // below the target for a while, but it never empties.
    std::uint64_t settled_max = 0, settled_min = ~std::uint64_t{0};
    for (const auto& [sent_at, queued] : link.queue_delays) {
        if (sent_at < 2 * k_s || sent_at + 1 * k_s > now)
            continue;
        settled_max = std::max(settled_max, queued);
        settled_min = std::min(settled_min, queued);
    }
    EXPECT_LT(settled_max, 130 * k_ms);
    EXPECT_GT(settled_min, 30 * k_ms);  // the link never ran dry
    // The link carried the data at over 90% of its rate (headers included in what it sent).
    EXPECT_LT(now, data.size() * 1000 / bottleneck.bytes_per_ms * 110 / 100);
    EXPECT_FALSE(a.ledbat().slow_start());
    EXPECT_EQ(a.stats().retransmits, 0u);
}

}  // namespace
}  // namespace shoal::utp
