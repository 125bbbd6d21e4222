#pragma once
// Host name lookups that never hold anyone up: not the caller once it gives up, not other
// lookups, not the io_context's destruction.
//
// Asio's resolver runs getaddrinfo on one private thread per io_context: lookups queue
// behind a name whose DNS server never answers, cancelling does not end the wait for a
// lookup under way, and destroying the io_context joins that thread. Here each lookup runs
// on a small shared pool of detached threads; the awaiting coroutine waits on a timer of its
// own, so cancellation (as from `||`) or the deadline ends the wait at once and a late
// answer is dropped.

#include <chrono>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>

#include "util/result.hpp"

namespace shoal {

// The addresses of `host` (a name, or an IP address returned as it is), in getaddrinfo's
// order without repeats. Errors: getaddrinfo's reason, "timed out" at the deadline or
// "cancelled" when the awaiting coroutine is cancelled.
boost::asio::awaitable<Result<std::vector<boost::asio::ip::address>>> lookup_host(
    std::string host,
    std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max());

}  // namespace shoal
