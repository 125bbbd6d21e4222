// libFuzzer target: ut_pex payloads from a hostile peer.
#include <cstdint>
#include <string_view>

#include "wire/ut_pex.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace shoal::wire;
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    auto m = decode_pex(input);
    if (!m)
        return 0;
    const PexLimits limits;
    if (m->added.size() > limits.max_added || m->dropped.size() > limits.max_dropped) {
        __builtin_trap();
    }
    for (const auto& p : m->added) {
        if (p.endpoint.port() == 0)
            __builtin_trap();
    }
    // What we decoded survives our own encoder unchanged.
    auto again = decode_pex(encode_pex(*m));
    if (!again || again->added != m->added || again->dropped != m->dropped)
        __builtin_trap();
    return 0;
}
