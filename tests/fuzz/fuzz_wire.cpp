// libFuzzer target: peer wire messages, handshakes, extension handshakes and ut_holepunch
// messages, as a hostile peer would send them.
#include <cstdint>
#include <string_view>

#include "swarm/bitfield.hpp"
#include "wire/extension_handshake.hpp"
#include "wire/handshake.hpp"
#include "wire/messages.hpp"
#include "wire/ut_holepunch.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    (void)shoal::wire::plausible_protocol_prefix(input);
    if (auto h = shoal::wire::decode_handshake(input.substr(0, shoal::wire::k_handshake_size))) {
        if (shoal::wire::encode_handshake(*h) != input.substr(0, shoal::wire::k_handshake_size)) __builtin_trap();
    }
    auto message = shoal::wire::decode_message(input);
    if (message) {
        if (auto* b = std::get_if<shoal::wire::Bitfield>(&*message)) {
            // A bitfield for a torrent of the size the message implies, and one off by one.
            const std::size_t pieces = b->bits.size() * 8;
            if (auto bits = shoal::Bitfield::from_bytes(b->bits, pieces)) {
                if (bits->to_bytes() != b->bits) __builtin_trap();
            }
            (void)shoal::Bitfield::from_bytes(b->bits, pieces ? pieces - 1 : 0);
        }
        if (auto* e = std::get_if<shoal::wire::Extended>(&*message); e && e->id == 0) {
            if (auto theirs = shoal::wire::decode_extension_handshake(e->payload)) {
                if (theirs->client.size() > 64) __builtin_trap();
            }
        }
        if (auto* e = std::get_if<shoal::wire::Extended>(&*message); e && e->id == shoal::wire::k_ut_holepunch_id) {
            if (auto hole = shoal::wire::decode_holepunch(e->payload)) {
                auto again = shoal::wire::decode_holepunch(shoal::wire::encode_holepunch(*hole));
                if (!again || !(*again == *hole)) __builtin_trap();
            }
        }
    }
    return 0;
}
