// libFuzzer target: local discovery datagrams, as anyone on the local network could send.
#include <cstdint>
#include <string_view>

#include "discovery/lsd/lsd_message.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace shoal::lsd;
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    auto a = parse_announce(input);
    if (!a)
        return 0;
    if (a->port == 0 || a->info_hashes.empty())
        __builtin_trap();
    ParseLimits roomy;
    roomy.max_size = 1 << 16;
    auto again = parse_announce(encode_announce(*a), roomy);
    if (!again || again->info_hashes != a->info_hashes || again->port != a->port ||
        again->cookie != a->cookie || again->host != a->host) {
        __builtin_trap();
    }
    return 0;
}
