#include "control/stored_torrent.hpp"

namespace shoal::control {

std::string stored_id(const TorrentInfo& info) {
    if (info.info_hash_v1) return info.info_hash_v1->hex();
    if (info.info_hash_v2) return info.info_hash_v2->hex();
    return {};
}

}  // namespace shoal::control
