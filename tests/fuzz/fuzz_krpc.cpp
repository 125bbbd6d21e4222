// Fuzzes the KRPC decoder. Invariants: no crash on any datagram, and a decoded message
// re-encodes to bytes that decode to the same message.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "discovery/dht/krpc.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace shoal::dht;
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    auto decoded = decode_message(input);
    auto* message = std::get_if<Message>(&decoded);
    if (!message)
        return 0;
    const std::string again = encode_message(*message);
    if (again.size() > k_max_datagram)
        return 0;
    auto redecoded = decode_message(again);
    auto* second = std::get_if<Message>(&redecoded);
    if (!second || !(*second == *message))
        std::abort();
    return 0;
}
