// Fuzzes the torrent parser. On success, checks the layout invariants the rest of the engine
// relies on, that every file has a safe name of its own, and that the torrent's magnet link
// survives a round trip.

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>

#include "metainfo/magnet.hpp"
#include "metainfo/path_rules.hpp"
#include "metainfo/torrent_info.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    auto parsed = shoal::parse_torrent(input);
    if (!parsed.ok()) {
        if (parsed.error().message.empty())
            __builtin_trap();
        if (parsed.error().message.find('\n') != std::string::npos)
            __builtin_trap();
        return 0;
    }
    const shoal::TorrentInfo& t = *parsed;
    if (!t.has_v1() && !t.has_v2())
        __builtin_trap();
    if (t.piece_length <= 0 || t.total_size <= 0)
        __builtin_trap();
    if (t.num_pieces != (t.total_size + t.piece_length - 1) / t.piece_length)
        __builtin_trap();
    if (t.has_v1() && t.v1_hashes_at + static_cast<std::size_t>(t.num_pieces) * 20 > t.info_bytes.size()) {
        __builtin_trap();
    }
    std::int64_t offset = 0;
    for (const auto& f : t.files) {
        if (f.offset != offset || f.size < 0 || f.path.empty())
            __builtin_trap();
        offset += f.size;
    }
    if (offset != t.total_size)
        __builtin_trap();
    // Every name is safe to create beneath the save folder, and no two files share one.
    std::set<std::string> names;
    for (const auto& f : t.files) {
        for (const auto& part : f.path) {
            if (shoal::unsafe_component(part))
                __builtin_trap();
        }
        if (!f.pad && !names.insert(shoal::fold_case(f.joined_path())).second)
            __builtin_trap();
    }
    const std::int64_t last = t.piece_size(t.num_pieces - 1);
    if (last <= 0 || last > t.piece_length)
        __builtin_trap();

    const shoal::MagnetLink link = shoal::magnet_for(t);
    shoal::MagnetLimits unlimited;
    unlimited.max_length = SIZE_MAX;
    unlimited.max_entries = SIZE_MAX;
    auto back = shoal::parse_magnet(shoal::to_uri(link), unlimited);
    if (!back.ok())
        __builtin_trap();
    if (back->info_hash_v1 != t.info_hash_v1 || back->info_hash_v2 != t.info_hash_v2 ||
        back->display_name != t.name || back->trackers != link.trackers ||
        back->web_seeds != link.web_seeds) {
        __builtin_trap();
    }
    return 0;
}
