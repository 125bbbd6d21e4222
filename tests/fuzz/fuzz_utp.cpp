// libFuzzer target: uTP datagrams (BEP 29), as anyone who can reach the UDP port could send.
// The input is parsed as one datagram (and what parses must survive encode and parse again),
// then cut into datagrams fed, with the clock moving, to a connection that accepted a SYN:
// whatever they say, it must not crash or hold more than its bounds.
#include <cstdint>
#include <algorithm>
#include <span>
#include <vector>

#include "utp/connection.hpp"
#include "utp/packet.hpp"

namespace {

using namespace shoal::utp;

void check_round_trip(std::span<const std::uint8_t> datagram) {
    const ParsedPacket parsed = parse_packet(datagram);
    if (!parsed)
        return;
    std::vector<std::uint8_t> out(encoded_size(parsed->has_sack ? &parsed->sack : nullptr,
                                               parsed->payload.size()));
    const std::size_t n = encode_packet(parsed->header, parsed->has_sack ? &parsed->sack : nullptr,
                                        parsed->payload, out);
    if (n != out.size())
        __builtin_trap();
    const ParsedPacket again = parse_packet(out);
    if (!again || !(again->header == parsed->header) || again->has_sack != parsed->has_sack ||
        (parsed->has_sack && !(again->sack == parsed->sack)) ||
        !std::equal(again->payload.begin(), again->payload.end(), parsed->payload.begin(),
                    parsed->payload.end())) {
        __builtin_trap();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::uint8_t> input(data, size);
    check_round_trip(input);

    // Small bounds: cheap to make for each input, and easy to reach.
    UtpConfig config;
    config.send_buffer = 64 * 1024;
    config.receive_buffer = 64 * 1024;
    config.max_packets_in_flight = 64;
    config.max_reorder_packets = 64;
    std::size_t sent = 0;
    UtpConnection connection(config, [&](std::span<const std::uint8_t>) { ++sent; });
    Packet syn;
    syn.header.type = PacketType::syn;
    syn.header.connection_id = 0x1234;
    syn.header.seq_nr = 0xfff0;  // near the wrap-around
    syn.header.wnd_size = 1 << 20;
    std::uint64_t now = 1'000'000;
    if (!connection.accept(syn, 0xfffa, now))
        __builtin_trap();

    // Records: one byte of length (up to 255), one byte of time step (its low 7 bits, in
    // milliseconds), then the datagram. Unless the step byte's top bit is set, the datagram's
    // connection id is made this connection's, so that what parses reaches the state machine.
    std::uint8_t read_buffer[4096];
    const std::uint8_t outgoing[1000] = {};
    std::size_t at = 0;
    while (at + 2 <= size) {
        const std::size_t length = std::min<std::size_t>(data[at], size - at - 2);
        const bool keep_id = (data[at + 1] & 0x80) != 0;
        now += std::uint64_t{data[at + 1] & 0x7fu} * 1000;
        std::vector<std::uint8_t> datagram(data + at + 2, data + at + 2 + length);
        at += 2 + length;
        if (datagram.size() >= 4 && !keep_id) {
            datagram[2] = static_cast<std::uint8_t>(connection.recv_id() >> 8);
            datagram[3] = static_cast<std::uint8_t>(connection.recv_id());
        }
        connection.on_datagram(datagram, now);
        connection.on_tick(now);
        while (connection.read(read_buffer, now) > 0) {
        }
        if (connection.writable() > 0)
            (void)connection.write(outgoing, now);
        if (connection.readable() > config.receive_buffer)
            __builtin_trap();
    }
    return 0;
}
