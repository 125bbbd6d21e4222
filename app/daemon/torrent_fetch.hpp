#pragma once
// torrent-add's URLs fetched over HTTP or HTTPS (servers checked against the system's CAs): a
// few at a time, each within a deadline and a size cap, from the network interface the
// session is bound to (a daemon tied to a VPN's device fetches through it too).

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstddef>

#include "daemon/rpc_methods.hpp"
#include "net/socket_binding.hpp"

namespace shoal::daemon {

struct TorrentFetchLimits {
    std::chrono::milliseconds timeout{30'000};  // for everything, redirects included
    int max_redirects = 5;
    std::size_t max_bytes = k_max_torrent_file_bytes;
    std::size_t max_url_bytes = 8 * 1024;
    std::size_t max_at_once = 4;  // more are refused until one ends
};

// Fetches on `io`, answering there, each connection bound as `binding`; fetches still running
// when `io` stops are dropped unanswered.
TorrentFetch make_torrent_fetch(boost::asio::io_context& io, net::SocketBinding binding,
                                TorrentFetchLimits limits = {});

}  // namespace shoal::daemon
