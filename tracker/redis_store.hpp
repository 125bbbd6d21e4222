#pragma once
// Swarms kept in Redis, so that several tracker instances serve the same swarms. One object
// per tracker thread, with its own connection. Every announce and every scrape is one script
// call (EVALSHA), so one round trip, pipelined with the thread's other requests.
//
// Keys of one torrent, HEX its info-hash in lower-case hex (the braces keep them in one
// Redis Cluster slot):
//   PREFIX{HEX}:s4  PREFIX{HEX}:l4  PREFIX{HEX}:s6  PREFIX{HEX}:l6
//       sorted sets of seeders and leechers by family; member: the address and the port in
//       network order (6 or 18 bytes), score: when the peer last announced (Redis's clock)
//   PREFIX{HEX}:d   completed downloads
// Each key expires `peer_timeout` seconds after it was last written, so an abandoned swarm
// leaves nothing behind; each announce also removes up to 64 stale peers from each of its
// sets, and counts and replies skip stale peers not yet removed. Peer ids are not kept.

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "tracker/redis_connection.hpp"
#include "tracker/swarm_store.hpp"

namespace shoal::tracker {

enum class StoreStatus { ok, unavailable, busy };

class RedisStore {
  public:
    using AnnounceDone = std::function<void(StoreStatus, SwarmCounts, std::vector<PeerInfo>)>;
    using ScrapeDone = std::function<void(StoreStatus, std::vector<SwarmCounts>)>;

    RedisStore(asio::any_io_executor executor, RedisOptions options, std::string prefix,
               std::uint32_t peer_timeout, RedisConnection::StateListener listener);

    void start() { connection_.start(); }
    void stop() { connection_.stop(); }

    // `done` is called exactly once, possibly before this returns (when the store is down or
    // busy), or never once stop() has been called.
    void announce(const StoreAnnounce& request, AnnounceDone done);
    void scrape(std::span<const InfoHash> hashes, ScrapeDone done);

    std::size_t pending() const { return connection_.pending(); }
    const asio::any_io_executor& executor() const { return executor_; }
    bool up() const { return connection_.up(); }

    // The Lua scripts, in the order they are loaded.
    static const std::vector<std::string>& scripts();

  private:
    void call(std::size_t script, std::vector<std::string> keys, std::vector<std::string> args,
              std::function<void(StoreStatus, const redisReply*)> done);
    std::string key(const InfoHash& hash, std::string_view suffix) const;

    asio::any_io_executor executor_;
    RedisConnection connection_;
    std::string prefix_;
    std::uint32_t peer_timeout_;
    std::vector<std::string> shas_;  // of scripts(), for EVALSHA
};

}  // namespace shoal::tracker
