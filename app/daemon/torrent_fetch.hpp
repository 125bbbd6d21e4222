#pragma once
// torrent-add's URLs fetched over HTTP or HTTPS (servers checked against the system's CAs): a
// few at a time, each within a deadline and a size cap.

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstddef>

#include "daemon/rpc_methods.hpp"

namespace shoal::daemon {

struct TorrentFetchLimits {
    std::chrono::milliseconds timeout{30'000};  // for everything, redirects included
    int max_redirects = 5;
    std::size_t max_bytes = k_max_torrent_file_bytes;
    std::size_t max_url_bytes = 8 * 1024;
    std::size_t max_at_once = 4;  // more are refused until one ends
};

// Fetches on `io`, answering there; fetches still running when `io` stops are dropped
// unanswered.
TorrentFetch make_torrent_fetch(boost::asio::io_context& io, TorrentFetchLimits limits = {});

}  // namespace shoal::daemon
