// Fuzzes the magnet link parser: whatever it accepts must survive to_uri and parse again
// unchanged.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "metainfo/magnet.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    auto first = shoal::parse_magnet(input);
    if (!first.ok()) {
        if (first.error().message.find_first_of("\r\n") != std::string::npos)
            __builtin_trap();
        return 0;
    }
    // Percent-encoding can make the link longer than the input limit; the content is the same.
    shoal::MagnetLimits unlimited;
    unlimited.max_length = SIZE_MAX;
    const std::string uri = shoal::to_uri(*first);
    auto second = shoal::parse_magnet(uri, unlimited);
    if (!second.ok())
        __builtin_trap();
    const auto& a = *first;
    const auto& b = *second;
    if (a.info_hash_v1 != b.info_hash_v1 || a.info_hash_v2 != b.info_hash_v2 ||
        a.display_name != b.display_name || a.trackers != b.trackers ||
        a.web_seeds != b.web_seeds || a.peers != b.peers || a.select_only != b.select_only) {
        __builtin_trap();
    }
    if (shoal::to_uri(b) != uri)
        __builtin_trap();
    return 0;
}
