#pragma once
// Upload and download limits: each torrent's own, and the session's shared by all torrents.

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <memory>

#include "swarm/rate_limiter.hpp"

namespace shoal {

// A pair of token buckets: the session's shared by all torrents, and each torrent's own.
struct RateLimits {
    RateLimiter upload;
    RateLimiter download;
};

// Waits in the torrent's limiter (null: it never had a limit), then the session's. A free
// coroutine holding both: the peer waiting here may be resumed after its torrent is gone.
inline boost::asio::awaitable<void> acquire_both(std::shared_ptr<RateLimits> own, std::shared_ptr<RateLimits> global,
                                                 RateLimiter RateLimits::*direction, std::int64_t bytes) {
    if (own) co_await ((*own).*direction).acquire(bytes);
    co_await ((*global).*direction).acquire(bytes);
}

}  // namespace shoal
