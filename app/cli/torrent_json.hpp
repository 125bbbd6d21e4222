#pragma once
// The JSON shapes `shoal-cli show --json` and `verify --json` print.

#include <boost/json/value.hpp>

#include "metainfo/magnet.hpp"
#include "metainfo/torrent_info.hpp"
#include "storage/verify.hpp"

namespace shoal::cli {

boost::json::value torrent_to_json(const TorrentInfo& torrent);
boost::json::value magnet_to_json(const MagnetLink& magnet);
boost::json::value verify_report_to_json(const TorrentInfo& torrent, const VerifyReport& report);

}  // namespace shoal::cli
