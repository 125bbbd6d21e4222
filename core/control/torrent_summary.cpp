#include "control/torrent_summary.hpp"

#include "metainfo/magnet.hpp"

namespace shoal::control {

std::string magnet_link(const TorrentSummary& summary) {
    return summary.info ? to_uri(magnet_for(*summary.info)) : summary.magnet;
}

}  // namespace shoal::control
