#include "daemon/torrent_fetch.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include <memory>

#include "http_client/http_get.hpp"

namespace shoal::daemon {
namespace {

struct FetchState {
    explicit FetchState(TorrentFetchLimits l) : limits(l) {}
    http_client::TlsClientContext tls;
    TorrentFetchLimits limits;
    std::size_t running = 0;
};

// What the server's reply means for torrent-add.
Result<FetchedTorrent> interpret(const std::string& url, Result<http_client::Reply> reply) {
    if (!reply) return reply.error();
    if (reply->status == 200) {
        if (reply->body.empty()) return make_error(ErrorCode::invalid_input, "torrent-add: " + url + " sent nothing");
        return FetchedTorrent{std::move(reply->body), {}};
    }
    if (http_client::is_redirect(reply->status) && reply->location.starts_with("magnet:")) {
        return FetchedTorrent{{}, std::move(reply->location)};
    }
    return make_error(ErrorCode::refused, "torrent-add: " + url + " replied HTTP " + std::to_string(reply->status) +
                                              (reply->reason.empty() ? "" : " " + reply->reason));
}

boost::asio::awaitable<void> fetch_one(std::shared_ptr<FetchState> state, std::string url,
                                       http_client::GetOptions options,
                                       std::function<void(Result<FetchedTorrent>)> done) {
    auto reply = co_await http_client::get(state->tls.get(), url, "torrent-add: " + url, std::move(options));
    --state->running;
    done(interpret(url, std::move(reply)));
}

}  // namespace

TorrentFetch make_torrent_fetch(boost::asio::io_context& io, net::SocketBinding binding,
                                TorrentFetchLimits limits) {
    auto state = std::make_shared<FetchState>(limits);
    return [&io, state, binding = std::move(binding)](const std::string& url, const std::string& cookies,
                        std::function<void(Result<FetchedTorrent>)> done) {
        if (url.size() > state->limits.max_url_bytes) {
            return done(make_error(ErrorCode::too_large, "torrent-add: the URL is longer than " +
                                                             std::to_string(state->limits.max_url_bytes) + " bytes"));
        }
        if (state->running >= state->limits.max_at_once) {
            return done(make_error(ErrorCode::unavailable, "torrent-add: " + std::to_string(state->running) +
                                                        " torrent files are being fetched; try again when one is in"));
        }
        http_client::GetOptions options;
        options.timeout = state->limits.timeout;
        options.max_redirects = state->limits.max_redirects;
        options.max_body_bytes = state->limits.max_bytes;
        options.binding = binding;
        if (!cookies.empty()) options.headers.emplace_back("Cookie", cookies);
        ++state->running;
        boost::asio::co_spawn(io, fetch_one(state, url, std::move(options), std::move(done)), boost::asio::detached);
    };
}

}  // namespace shoal::daemon
