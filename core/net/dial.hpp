#pragma once
// How a connection to a peer is opened: over TCP (dial_tcp) or over uTP (a uTP socket's
// connect), as the caller chose. The error says why not.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <functional>
#include <memory>

#include "net/peer_stream.hpp"
#include "util/result.hpp"

namespace shoal::net {

using Dial = std::function<boost::asio::awaitable<Result<std::unique_ptr<PeerStream>>>(
    boost::asio::ip::tcp::endpoint endpoint, std::chrono::milliseconds timeout)>;

}  // namespace shoal::net
