#include "session/session.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "metainfo/rename.hpp"
#include "net/tcp_stream.hpp"
#include "swarm/peer_handshake.hpp"
#include "storage/parallel_pieces.hpp"

namespace shoal {

namespace asio = boost::asio;
using asio::ip::tcp;

namespace {

constexpr auto k_handshake_timeout = std::chrono::seconds(10);
// Incoming connections that have not finished their handshake: at most these (the oldest is
// closed to make room for a new one), and at most a few per address, so idle connections
// cannot hold our descriptors and timers, nor keep peers out.
constexpr std::size_t k_max_half_open = 128;
constexpr std::size_t k_max_half_open_per_address = 8;
// After accept() fails (out of descriptors, say), wait before trying again: from the first
// delay doubling up to the last, instead of spinning.
constexpr auto k_accept_retry_first = std::chrono::milliseconds(50);
constexpr auto k_accept_retry_last = std::chrono::milliseconds(1000);

}  // namespace

Session::Session(SessionSettings settings)
    : settings_(std::move(settings)),
      peer_id_(wire::make_peer_id()),
      pending_handshakes_(std::make_shared<PendingHandshakes>(k_max_half_open, k_max_half_open_per_address)),
      resume_(settings_.state_dir),
      disk_(settings_.disk_threads ? settings_.disk_threads : default_thread_count()),
      tick_timer_(io_) {
    global_limits_->upload.set_rate(settings_.upload_limit);
    global_limits_->download.set_rate(settings_.download_limit);
    listeners_ = std::make_unique<ListenSockets>(io_.get_executor(), settings_);
    listen_port_ = listeners_->port();
    announce_port_ = listen_port_;
    network_.listening_on = listeners_->describe();
    network_.interface = settings_.network_interface;
    network_.announce_port = announce_port_;
    check_interface();
    for (const auto& problem : listeners_->problems()) emit(event::Notice{TorrentId{0}, problem});
    transports_ = std::make_unique<Transports>(io_.get_executor(), settings_, listen_port_);
    for (const auto& problem : transports_->problems()) emit(event::Notice{TorrentId{0}, "UDP off: " + problem});
    // The DHT and the UDP tracker client join the UDP ports before they start receiving.
    tracker_client_.use_ports(transports_->port_v4(), transports_->port_v6());
    tracker_client_.use_binding(transports_->binding());
    tracker_client_.use_ipv6_address(listeners_->reachable_ipv6(settings_.network_interface));
    discovery_ = std::make_unique<PeerDiscovery>(
        io_.get_executor(), settings_, listen_port_, transports_->port_v4(), transports_->port_v6(),
        [this](const SwarmHash& hash, const tcp::endpoint& peer) { on_discovered_peer(hash, peer); },
        [this](std::string notice) { emit(event::Notice{TorrentId{0}, std::move(notice)}); });
    if (settings_.enable_utp) {
        transports_->start([this](std::unique_ptr<net::PeerStream> stream) { take_incoming(std::move(stream)); });
    } else {
        transports_->start(nullptr);
    }
    for (auto& acceptor : listeners_->acceptors()) asio::co_spawn(io_, accept_loop(acceptor), asio::detached);
    if (settings_.enable_port_mapping) {
        port_mapping::PortMapperOptions options;
        options.local_port = listen_port_;
        options.interface = settings_.network_interface;
        port_mapper_ = std::make_unique<port_mapping::PortMapper>(
            options, [this](const port_mapping::PortMappingStatus& status) {
                if (!closing_) asio::post(io_, [this, status] { on_port_mapping(status); });
            });
        on_port_mapping(port_mapper_->status());
    }
    services_ = std::make_unique<SessionServices>(SessionServices{
        settings_, io_.get_executor(), disk_, [this](Event e) { emit(std::move(e)); }, peer_id_, listen_port_,
        announce_port_, network_up_,
        [this](const asio::ip::address& reported, const asio::ip::address& voter) {
            report_external_address(reported, voter);
        },
        [this](const tcp::endpoint& endpoint) { return is_own_endpoint(endpoint); }, global_limits_, connections_,
        tracker_client_, resume_, *transports_, tracker_client_.tls()});
    publish_network();
    schedule_tick();
    thread_ = std::thread([this] { io_.run(); });
}

Session::~Session() { stop(); }

void Session::stop() {
    if (stopped_) return;
    stopped_ = true;
    closing_ = true;
    // Close everything, tell the trackers we leave (all torrents at once, each within its
    // stop timeout), then end the thread once the peers' coroutines have seen their sockets close.
    asio::co_spawn(
        io_,
        [this]() -> asio::awaitable<void> {
            listeners_->close();
            tick_timer_.cancel();
            for (auto& [id, t] : torrents_) t->stop();
            auto pending = std::make_shared<std::size_t>(torrents_.size() + fetching_.size());
            auto done = [pending](std::exception_ptr) { --*pending; };
            for (auto& [id, t] : torrents_) asio::co_spawn(io_, t->shutdown(), done);
            for (auto& [id, f] : fetching_) asio::co_spawn(io_, f.fetch->shutdown(), done);
            asio::steady_timer wait(io_);
            while (*pending > 0) {
                wait.expires_after(std::chrono::milliseconds(20));
                co_await wait.async_wait(asio::use_awaitable);
            }
            torrents_.clear();
            fetching_.clear();
            discovery_->stop();
            transports_->stop();
        },
        [this](std::exception_ptr) { io_.stop(); });
    // Meanwhile the router forgets our mappings (this waits a few seconds at most).
    if (port_mapper_) port_mapper_->stop();
    thread_.join();
}

void Session::schedule_tick() {
    tick_timer_.expires_after(std::chrono::seconds(1));
    tick_timer_.async_wait([this](boost::system::error_code ec) {
        if (ec) return;
        check_interface();
        // Addresses come and go (privacy addresses, a new prefix): HTTP trackers are told
        // the one we have now.
        tracker_client_.use_ipv6_address(listeners_->reachable_ipv6(settings_.network_interface));
        for (auto& [id, t] : torrents_) t->tick();
        dht_nodes_ = discovery_->dht_nodes();
        // The DHT settles its own vote; here it counts as one network of its own.
        if (auto dht = discovery_->dht_external_address(); dht && dht != dht_address_) {
            dht_address_ = dht;
            report_external_address(*dht, *dht);
        }
        for (auto& [id, pending] : fetching_) {
            pending.fetch->tick();
            TorrentStats stats;
            stats.state = TorrentState::fetching_metadata;
            stats.peers = static_cast<int>(pending.fetch->connections());
            emit(event::Stats{id, stats});
        }
        schedule_tick();
    });
}

void Session::on_port_mapping(const port_mapping::PortMappingStatus& status) {
    if (closing_) return;
    auto describe = [](const char* protocol, const port_mapping::ProtocolStatus& s) {
        NetworkState::Mapping m;
        m.protocol = protocol;
        m.state = std::string(port_mapping::state_name(s.state));
        if (s.external_address) m.external_address = s.external_address->to_string();
        m.external_port = s.external_tcp_port;
        m.error = s.error;
        return m;
    };
    network_.port_mapping = {describe("UPnP", status.upnp), describe("NAT-PMP", status.natpmp)};
    const auto* mapped = status.mapped();
    std::optional<asio::ip::address> router;
    if (mapped && mapped->external_address) router = *mapped->external_address;
    if (external_.from_router(router)) {
        const auto address = external_.address();
        network_.external_address = address ? address->to_string() : "";
    }
    set_announce_port(mapped && mapped->external_tcp_port ? mapped->external_tcp_port : listen_port_);
    publish_network();
}

void Session::check_interface() {
    if (settings_.network_interface.empty()) return;
    const auto state = net::interface_state(settings_.network_interface);
    if (state.index != 0 && state.index != interface_index_) {
        if (interface_index_ != 0) rebind_to_device();
        interface_index_ = state.index;
    }
    if (state.usable == network_up_ && state.problem == network_.interface_problem) return;
    const bool was_up = network_up_;
    network_up_ = state.usable;
    network_.interface_up = state.usable;
    network_.interface_problem = state.problem;
    // Every socket is bound to the interface, so nothing leaves by another route meanwhile.
    if (was_up && !state.usable)
        emit(event::Notice{TorrentId{0}, state.problem + ": no peer is dialed, and nothing goes out by another "
                                         "route, until " + settings_.network_interface + " is back"});
    if (!was_up && state.usable) {
        emit(event::Notice{TorrentId{0}, settings_.network_interface + " is back: connecting to peers again"});
        // Trackers that failed meanwhile are asked again now, not after their back-off.
        for (auto& [id, t] : torrents_) t->reannounce();
    }
    publish_network();
}

void Session::rebind_to_device() {
    // A socket bound to a device stays bound to the index the device had: the listening and
    // UDP sockets and the peers' connections are bound again (new dials and tracker
    // connections are bound as they are made).
    const auto& device = settings_.network_interface;
    auto listeners = listeners_->rebind_device(device);
    auto ports = listeners ? transports_->rebind_device() : listeners;
    if (!ports) {
        emit(event::Notice{TorrentId{0}, device + " was made anew, and cannot be bound again: " + ports.error().message});
    } else {
        emit(event::Notice{TorrentId{0}, device + " was made anew: every socket is bound to it again"});
    }
    discovery_->device_recreated();
    for (auto& [id, t] : torrents_) t->device_recreated();
}

void Session::set_announce_port(std::uint16_t port) {
    if (port == announce_port_) return;
    announce_port_ = port;
    network_.announce_port = port;
    for (auto& [id, t] : torrents_) t->set_announce_port(port);
    for (auto& [id, pending] : fetching_) pending.fetch->set_announce_port(port);
    discovery_->set_announce_port(port);
}

void Session::report_external_address(const asio::ip::address& reported, const asio::ip::address& voter) {
    if (std::find(reported_addresses_.begin(), reported_addresses_.end(), reported) == reported_addresses_.end()) {
        reported_addresses_.push_back(reported);
        if (reported_addresses_.size() > k_reported_addresses) reported_addresses_.pop_front();
    }
    if (!external_.vote(reported, voter, std::chrono::steady_clock::now())) return;
    const auto address = external_.address();
    network_.external_address = address ? address->to_string() : "";
    publish_network();
}

bool Session::is_own_endpoint(const tcp::endpoint& endpoint) const {
    if (endpoint.port() != listen_port_ && endpoint.port() != announce_port_) return false;
    const auto& address = endpoint.address();
    if (address == external_.address()) return true;
    if (std::find(reported_addresses_.begin(), reported_addresses_.end(), address) != reported_addresses_.end()) {
        return true;
    }
    // Loopback is ours only when listening on every address of its family: listening on
    // 127.0.0.2, a peer at 127.0.0.1 with the same port number is another program.
    const auto ours = listen_addresses(settings_);
    return std::any_of(ours.begin(), ours.end(), [&](const asio::ip::address& listen) {
        return listen == address ||
               (listen.is_unspecified() && address.is_loopback() && listen.is_v4() == address.is_v4());
    });
}

void Session::publish_network() {
    {
        std::lock_guard lock(network_mutex_);
        if (network_ == published_network_) return;
        published_network_ = network_;
    }
    emit(event::NetworkStatus{TorrentId{0}, std::make_shared<const NetworkState>(network_)});
}

NetworkState Session::network_state() const {
    std::lock_guard lock(network_mutex_);
    return published_network_;
}

void Session::emit(Event e) {
    if (events_.push(std::move(e))) {
        // Called under its own lock, so that once set_wakeup returns the previous wake-up is
        // neither running nor called again (its owner may be going away).
        std::lock_guard lock(wakeup_mutex_);
        if (wakeup_) wakeup_();
    }
}

std::vector<Event> Session::pop_events() {
    return events_.pop_all();
}

void Session::set_wakeup(std::function<void()> wakeup) {
    std::lock_guard lock(wakeup_mutex_);
    wakeup_ = std::move(wakeup);
    // Events queued before anyone listened would otherwise never wake the reader: the
    // wake-up fires only when the queue goes from empty to not empty.
    if (!events_.empty() && wakeup_) wakeup_();
}

TorrentId Session::add_torrent(AddTorrentParams params) {
    TorrentId id;
    {
        std::lock_guard lock(id_mutex_);
        id = TorrentId{next_id_++};
    }
    asio::post(io_, [this, id, params = std::move(params)]() mutable {
        if (!params.info) return fetch_metadata(id, std::move(params));
        emit(event::TorrentAdded{id, params.info->name});
        start_torrent(id, std::move(params));
    });
    return id;
}

void Session::start_torrent(TorrentId id, AddTorrentParams params, MetadataFetched* fetched) {
    auto published = params.info;
    if (!params.file_names.empty()) {
        std::vector<std::string> refused;
        params.info = std::make_shared<const TorrentInfo>(with_files_renamed(*params.info, params.file_names, &refused));
        for (auto& why : refused) emit(event::Error{id, std::move(why)});
    }
    auto torrent = std::make_unique<Torrent>(id, std::move(params), std::move(published), *services_);
    Torrent& t = *torrent;
    torrents_[id] = std::move(torrent);
    if (!t.info().is_private) discovery_->add(t.wire_info_hash());
    if (fetched) t.adopt(std::move(fetched->connections), std::move(fetched->announcer));
    t.start();
}

void Session::on_discovered_peer(const SwarmHash& hash, const tcp::endpoint& peer) {
    for (auto& [id, t] : torrents_) {
        if (t->wire_info_hash() == hash) t->add_peer(peer);
    }
    for (auto& [id, pending] : fetching_) {
        if (pending.fetch->wire_info_hash() == hash) pending.fetch->add_peer(peer);
    }
}

void Session::post_to_torrent(TorrentId id, std::function<void(Torrent&)> action) {
    asio::post(io_, [this, id, action = std::move(action)] {
        auto it = torrents_.find(id);
        if (it != torrents_.end()) action(*it->second);
    });
}

void Session::remove_torrent(TorrentId id, bool delete_files) {
    asio::post(io_, [this, id, delete_files] {
        if (forget_fetch(id)) return emit(event::TorrentRemoved{id});
        auto it = torrents_.find(id);
        if (it == torrents_.end()) return;
        // The torrent leaves the map now and stays alive until its trackers heard `stopped`.
        std::shared_ptr<Torrent> leaving(std::move(it->second));
        torrents_.erase(it);
        discovery_->remove(leaving->wire_info_hash());
        leaving->stop();
        leaving->forget_resume_data();
        asio::co_spawn(io_, [leaving]() { return leaving->shutdown(); }, [leaving](std::exception_ptr) {});
        // With its data, the torrent is removed once the files are gone.
        if (delete_files) return leaving->delete_files([this, id] { emit(event::TorrentRemoved{id}); });
        emit(event::TorrentRemoved{id});
    });
}

void Session::request_details(TorrentId id) {
    post_to_torrent(id, [this](Torrent& t) { emit(t.details()); });
}

void Session::rename_file(TorrentId id, std::size_t file, std::string name) {
    post_to_torrent(id, [file, name = std::move(name)](Torrent& t) mutable { t.rename_file(file, std::move(name)); });
}

void Session::move_storage(TorrentId id, std::filesystem::path to, bool move) {
    post_to_torrent(id, [to = std::move(to), move](Torrent& t) mutable { t.move_storage(std::move(to), move); });
}

void Session::set_trackers(TorrentId id, std::vector<Tier> tiers) {
    post_to_torrent(id, [tiers = std::move(tiers)](Torrent& t) mutable { t.set_trackers(std::move(tiers)); });
}

void Session::reannounce(TorrentId id) { post_to_torrent(id, [](Torrent& t) { t.reannounce(); }); }

void Session::set_rate_limits(std::int64_t upload, std::int64_t download) {
    asio::post(io_, [this, upload, download] {
        settings_.upload_limit = upload;
        settings_.download_limit = download;
        global_limits_->upload.set_rate(upload);
        global_limits_->download.set_rate(download);
    });
}

void Session::set_max_peers_per_torrent(int peers) {
    // Torrents read the settings on the network thread, so they see it at their next look.
    asio::post(io_, [this, peers] { settings_.max_peers_per_torrent = std::max(1, peers); });
}

void Session::set_max_connections(int connections) {
    asio::post(io_, [this, connections] { settings_.max_connections = std::max(1, connections); });
}

void Session::save_resume_data() {
    asio::post(io_, [this] {
        for (auto& [id, t] : torrents_) t->save_resume_data();
    });
}

void Session::pause(TorrentId id) {
    asio::post(io_, [this, id] {
        if (auto it = fetching_.find(id); it != fetching_.end()) it->second.params.paused = true;
    });
    post_to_torrent(id, [](Torrent& t) { t.pause(); });
}

void Session::resume(TorrentId id) {
    asio::post(io_, [this, id] {
        if (auto it = fetching_.find(id); it != fetching_.end()) it->second.params.paused = false;
    });
    post_to_torrent(id, [](Torrent& t) { t.resume(); });
}
void Session::recheck(TorrentId id) { post_to_torrent(id, [](Torrent& t) { t.recheck(); }); }

void Session::set_file_priority(TorrentId id, std::size_t file, int priority) {
    post_to_torrent(id, [file, priority](Torrent& t) { t.set_file_priority(file, priority); });
}

void Session::post_to_torrent_or_fetch(TorrentId id, std::function<void(AddTorrentParams&)> on_fetch,
                                       std::function<void(Torrent&)> on_torrent) {
    asio::post(io_, [this, id, on_fetch = std::move(on_fetch), on_torrent = std::move(on_torrent)] {
        if (auto it = fetching_.find(id); it != fetching_.end()) {
            on_fetch(it->second.params);
        } else if (auto t = torrents_.find(id); t != torrents_.end()) {
            on_torrent(*t->second);
        }
    });
}

void Session::set_torrent_rate_limits(TorrentId id, std::int64_t upload, std::int64_t download) {
    post_to_torrent_or_fetch(
        id,
        [upload, download](AddTorrentParams& p) {
            p.upload_limit = upload;
            p.download_limit = download;
        },
        [upload, download](Torrent& t) { t.set_rate_limits(upload, download); });
}

void Session::set_web_seeds(TorrentId id, std::vector<std::string> urls) {
    post_to_torrent_or_fetch(
        id, [urls](AddTorrentParams& p) { p.web_seeds = urls; }, [urls](Torrent& t) { t.set_web_seeds(urls); });
}

void Session::set_torrent_peer_limit(TorrentId id, int peers) {
    post_to_torrent_or_fetch(
        id, [peers](AddTorrentParams& p) { p.peer_limit = peers; }, [peers](Torrent& t) { t.set_peer_limit(peers); });
}

void Session::add_peer(TorrentId id, const tcp::endpoint& endpoint) {
    asio::post(io_, [this, id, endpoint] {
        if (auto it = fetching_.find(id); it != fetching_.end()) it->second.fetch->add_peer(endpoint);
    });
    post_to_torrent(id, [endpoint](Torrent& t) { t.add_peer(endpoint); });
}

asio::awaitable<void> Session::accept_loop(tcp::acceptor& acceptor) {
    std::chrono::milliseconds retry = k_accept_retry_first;
    asio::steady_timer pause(io_);
    while (acceptor.is_open()) {
        boost::system::error_code ec;
        tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
        if (ec == asio::error::operation_aborted) co_return;
        if (ec) {
            // EMFILE, ENFILE, ENOBUFS…: the pending connection stays in the backlog, so
            // trying again at once would spin. Keep serving what is open meanwhile.
            pause.expires_after(retry);
            co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            retry = std::min(retry * 2, k_accept_retry_last);
            continue;
        }
        retry = k_accept_retry_first;
        if (!settings_.enable_tcp) continue;  // uTP only: closed at once
        socket.remote_endpoint(ec);
        if (ec) continue;  // gone already
        take_incoming(std::make_unique<net::TcpStream>(std::move(socket)));
    }
}

void Session::take_incoming(std::unique_ptr<net::PeerStream> stream) {
    if (!pending_handshakes_->admit(*stream, stream->remote_endpoint().address())) {
        stream->close();
        return;
    }
    asio::co_spawn(io_, handle_incoming(std::move(stream)), asio::detached);
}

asio::awaitable<void> Session::handle_incoming(std::unique_ptr<net::PeerStream> stream) {
    // The stream leaves the pending table as soon as its handshake is over (before it is
    // handed on or destroyed), or if this coroutine is destroyed first.
    struct Pending {
        std::shared_ptr<PendingHandshakes> table;
        const net::PeerStream* stream;
        ~Pending() {
            if (stream) table->ended(*stream);
        }
    } pending{pending_handshakes_, stream.get()};
    auto find = [this](const SwarmHash& info_hash) -> std::optional<SwarmId> {
        for (auto& [id, t] : torrents_) {
            if (t->matches(info_hash)) return SwarmId::of(t->info());
        }
        return std::nullopt;
    };
    // An MSE handshake names its torrent by a hash of one of its names.
    auto find_stream_key = [this](const Sha1Hash& req2_of_skey) -> std::optional<mse::StreamKey> {
        for (auto& [id, t] : torrents_) {
            if (auto key = t->stream_key_for(req2_of_skey)) return key;
        }
        return std::nullopt;
    };
    AcceptEncryption encryption{settings_.encryption, find_stream_key};
    auto done = co_await handshake_incoming(std::move(stream), find, peer_id_, k_handshake_timeout,
                                            std::move(encryption));
    pending_handshakes_->ended(*pending.stream);
    pending.stream = nullptr;
    if (!done) co_return;
    // The torrent may have gone while the handshake went on.
    for (auto& [id, t] : torrents_) {
        if (t->matches(SwarmHash{done->theirs.info_hash})) {
            t->attach_peer(std::move(done->stream), done->theirs);
            co_return;
        }
    }
}

}  // namespace shoal
