#pragma once
// A torrent's web seeds (BEP 19): each a source of blocks beside the peers, asked for byte
// ranges of the torrent's files over one kept-alive HTTP(S) connection at a time. Blocks are
// picked from the same picker and handed to the torrent like a peer's, so they go through the
// same piece writer and hash checks. A file the seed answers 404 or 410 for is not asked of it
// again; a seed that fails (5xx, timeouts, a wrong reply) waits longer each time, as long as
// Retry-After says when it gives one; a seed whose data fails a hash check is dropped. Network
// thread only.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "http_client/http_get.hpp"
#include "metainfo/torrent_info.hpp"
#include "net/socket_binding.hpp"
#include "session/events.hpp"
#include "swarm/bitfield.hpp"
#include "util/alive_flag.hpp"
#include "util/result.hpp"
#include "wire/messages.hpp"

namespace shoal {

namespace web_seed {
class SeedConnection;
}

class TorrentWebSeeds {
public:
    using Address = boost::asio::ip::address;
    using Clock = std::chrono::steady_clock;
    static constexpr std::chrono::milliseconds k_request_timeout{30'000};

    // The torrent's side.
    struct Host {
        // Up to `max` blocks to ask for, from pieces `has` marks; `asked` tells which are
        // under way from this seed already (in the endgame the picker hands out blocks twice).
        std::function<std::vector<wire::BlockRequest>(const Bitfield& has, std::size_t max,
                                                      const std::function<bool(const wire::BlockRequest&)>& asked)>
            pick;
        // A seed at work counts as a source of the pieces it has, as a peer's bitfield does,
        // so that pieces begun from it are not taken for stranded.
        std::function<void(const Bitfield& pieces)> add_source;
        std::function<void(const Bitfield& pieces)> remove_source;
        // A block picked but not delivered: it can be picked again.
        std::function<void(const wire::BlockRequest&)> abort;
        // A block's bytes; `sender` tells the seed apart for the hash checks.
        std::function<void(const wire::BlockRequest&, std::string_view data, const Address& sender)> deliver;
        // Waits until the rate limits allow `bytes` more.
        std::function<boost::asio::awaitable<void>(std::int64_t bytes)> throttle;
        // A seed was dropped or missed a file, in words for the user.
        std::function<void(std::string message)> notice;
    };

    // `urls` are the torrent's web seeds; those that are not http(s) URLs are left out.
    TorrentWebSeeds(std::shared_ptr<const TorrentInfo> info, const std::vector<std::string>& urls,
                    boost::asio::any_io_executor executor, http_client::TlsClientContext& tls,
                    const net::SocketBinding& binding, Host host);
    TorrentWebSeeds(const TorrentWebSeeds&) = delete;
    TorrentWebSeeds& operator=(const TorrentWebSeeds&) = delete;
    ~TorrentWebSeeds();

    // Each seed that is not waiting, failed or already at work starts asking for blocks;
    // one with nothing left to ask for rests until the next start().
    void start();
    // Requests under way end; their blocks go back to the picker.
    void stop();
    // Once a second: the rates.
    void tick();

    Result<Done> add(const std::string& url);
    bool remove(const std::string& url);
    std::vector<std::string> urls() const;

    // Whether `sender` stands for one of these seeds (see sender addresses in the .cpp).
    bool is_seed(const Address& sender) const;
    // The seed that `sender` stands for sent data that failed a hash check: it is not asked
    // again.
    void drop(const Address& sender, const std::string& reason);

    std::vector<WebSeedInfo> describe() const;
    double download_rate() const;
    // Seeds at work now.
    int active() const;

private:
    struct Seed;
    void launch(const std::shared_ptr<Seed>& seed);
    // Asks for blocks over `connection` while the seed has any to give.
    boost::asio::awaitable<void> run(std::shared_ptr<Seed> seed, std::shared_ptr<web_seed::SeedConnection> connection);
    // One contiguous stretch of blocks: true when every block was delivered.
    boost::asio::awaitable<bool> fetch_run(std::shared_ptr<Seed> seed,
                                           std::shared_ptr<web_seed::SeedConnection> connection,
                                           std::vector<wire::BlockRequest> run);
    Bitfield pieces_of(const Seed& seed) const;

    std::shared_ptr<const TorrentInfo> info_;
    boost::asio::any_io_executor executor_;
    http_client::TlsClientContext& tls_;
    net::SocketBinding binding_;
    Host host_;
    std::vector<std::shared_ptr<Seed>> seeds_;
    std::uint32_t next_sender_ = 1;
    bool running_ = false;
    // The coroutines touch this object only while it lives.
    AliveFlag alive_;
};

}  // namespace shoal
