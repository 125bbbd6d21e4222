// Session: torrents added from magnet links, until their metadata arrives.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "session/session.hpp"
#include "util/endpoint.hpp"

namespace shoal {

namespace asio = boost::asio;

namespace {

std::string magnet_name(const MagnetLink& m) {
    if (!m.display_name.empty()) return m.display_name;
    return m.info_hash_v1 ? m.info_hash_v1->hex() : m.info_hash_v2->hex();
}

// `so=` ranges as file priorities: 4 for the selected files, 0 for the rest.
std::vector<int> selected_files(const std::vector<FileIndexRange>& ranges, std::size_t files) {
    std::vector<int> priorities(files, 0);
    for (const auto& r : ranges) {
        for (std::int64_t i = std::max<std::int64_t>(r.first, 0); i <= r.last && i < static_cast<std::int64_t>(files); ++i) {
            priorities[static_cast<std::size_t>(i)] = 4;
        }
    }
    return priorities;
}

}  // namespace

void Session::fetch_metadata(TorrentId id, AddTorrentParams params) {
    if (!params.magnet || (!params.magnet->info_hash_v1 && !params.magnet->info_hash_v2)) {
        emit(event::Error{id, "nothing to add: neither a torrent nor a magnet link with an info-hash"});
        return;
    }
    const MagnetLink& magnet = *params.magnet;
    emit(event::TorrentAdded{id, magnet_name(magnet)});
    emit(event::StateChanged{id, TorrentState::fetching_metadata});
    auto fetch = std::make_unique<MetadataFetch>(
        io_.get_executor(), *transports_, magnet, peer_id_, listen_port_, announce_port_, tracker_client_,
        [this, id](MetadataFetched fetched) { on_metadata(id, std::move(fetched)); },
        [this, id](std::string note) { emit(event::Notice{id, std::move(note)}); });
    fetch->set_encryption(settings_.encryption);
    for (const auto& e : params.peers) fetch->add_peer(e);
    // `x.pe` peers given as IP:PORT; host names are not looked up.
    for (const auto& text : magnet.peers) {
        if (auto e = parse_ip_endpoint(text)) fetch->add_peer(*e);
    }
    MetadataFetch& f = *fetch;
    discovery_->add(f.wire_info_hash());
    fetching_[id] = PendingMagnet{std::move(params), std::move(fetch)};
    f.start();
}

bool Session::forget_fetch(TorrentId id) {
    auto it = fetching_.find(id);
    if (it == fetching_.end()) return false;
    // Kept alive until its trackers heard `stopped` (and past the callback that may call this).
    std::shared_ptr<MetadataFetch> leaving(std::move(it->second.fetch));
    fetching_.erase(it);
    discovery_->remove(leaving->wire_info_hash());
    asio::co_spawn(io_, [leaving]() { return leaving->shutdown(); }, [leaving](std::exception_ptr) {});
    return true;
}

void Session::retire(MetadataFetched& fetched) {
    for (auto& peer : fetched.connections) {
        peer->detach();
        peer->close("metadata only");
    }
    fetched.connections.clear();
    if (!fetched.announcer) return;
    // Told `started` for the link: it hears `stopped` now, and lives until its run() ends.
    std::shared_ptr<tracker_client::Announcer> leaving(std::move(fetched.announcer));
    leaving->set_sinks([] { return tracker_client::TransferTotals{0, 0, 1}; }, [](const auto&) {});
    asio::co_spawn(
        io_,
        [leaving]() -> asio::awaitable<void> {
            co_await leaving->stop();
            asio::steady_timer wait(co_await asio::this_coro::executor);
            for (int i = 0; i < 50 && leaving->running(); ++i) {
                wait.expires_after(std::chrono::milliseconds(20));
                co_await wait.async_wait(asio::use_awaitable);
            }
        },
        asio::detached);
}

void Session::on_metadata(TorrentId id, MetadataFetched fetched) {
    auto it = fetching_.find(id);
    if (it == fetching_.end()) return retire(fetched);
    AddTorrentParams params = std::move(it->second.params);
    // The fetch has handed on its connections and announcer; it only goes now.
    forget_fetch(id);
    // The dictionary hashed to the link's info-hash; it must still be a torrent we accept.
    auto info = parse_torrent("d4:info" + fetched.info_bytes + "e");
    if (!info) {
        retire(fetched);
        emit(event::Error{id, "the metadata peers sent is not a usable torrent: " + info.error().message});
        emit(event::StateChanged{id, TorrentState::error});
        return;
    }
    const MagnetLink& magnet = *params.magnet;
    for (const auto& url : magnet.trackers) info->trackers.push_back({url});
    info->web_seeds = magnet.web_seeds;
    if (params.file_priorities.empty() && !magnet.select_only.empty()) {
        params.file_priorities = selected_files(magnet.select_only, info->files.size());
    }
    params.peers.insert(params.peers.end(), fetched.peers.begin(), fetched.peers.end());
    params.info = std::make_shared<const TorrentInfo>(std::move(*info));
    emit(event::MetadataReceived{id, params.info->name, params.info});
    if (params.metadata_only) {
        retire(fetched);
        return emit(event::TorrentRemoved{id});
    }
    start_torrent(id, std::move(params), &fetched);
}

}  // namespace shoal
