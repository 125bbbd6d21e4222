#include "session/peer_discovery.hpp"

#include <fstream>
#include <sstream>

namespace shoal {

namespace asio = boost::asio;

namespace {

constexpr auto k_tick = std::chrono::seconds(1);
constexpr auto k_first_lookup = std::chrono::seconds(1);
constexpr auto k_lookup_interval = std::chrono::minutes(15);
// While the routing table is still small a lookup finds little: try again soon.
constexpr auto k_retry_interval = std::chrono::seconds(5);
// A lookup that found nobody is repeated sooner than one that found peers.
constexpr auto k_empty_lookup_interval = std::chrono::seconds(30);
constexpr std::size_t k_settled_nodes = 16;
constexpr std::uintmax_t k_max_state_bytes = 1024 * 1024;

std::filesystem::path dht_state_file(const SessionSettings& s) { return s.state_dir / "dht.dat"; }

}  // namespace

PeerDiscovery::PeerDiscovery(asio::any_io_executor executor, const SessionSettings& settings,
                             std::uint16_t listen_port, net::UdpPort* udp_v4, net::UdpPort* udp_v6,
                             OnPeer on_peer, OnNotice on_notice)
    : executor_(std::move(executor)),
      settings_(settings),
      listen_port_(listen_port),
      announce_port_(listen_port),
      on_peer_(std::move(on_peer)),
      on_notice_(std::move(on_notice)),
      timer_(executor_) {
    const auto addresses = listen_addresses(settings_);
    if (settings_.enable_dht && !addresses.empty() && udp_v4) {
        dht::NodeOptions options;
        options.port_v4 = udp_v4;
        options.port_v6 = udp_v6;
        dht_ = std::make_unique<dht::Node>(executor_, options);
        if (!settings_.state_dir.empty()) {
            std::error_code size_ec;
            const auto path = dht_state_file(settings_);
            if (std::filesystem::file_size(path, size_ec) <= k_max_state_bytes && !size_ec) {
                std::ifstream in(path, std::ios::binary);
                std::ostringstream bytes;
                bytes << in.rdbuf();
                if (auto loaded = dht_->load_state(bytes.str()); !loaded) {
                    on_notice_("DHT: saved state ignored: " + loaded.error().message);
                }
            }
        }
        if (auto started = dht_->start(); !started) {
            on_notice_("DHT off: " + started.error().message);
            dht_.reset();
        } else {
            dht_->bootstrap(settings_.dht_bootstrap.empty() ? dht::k_default_bootstrap_nodes
                                                            : settings_.dht_bootstrap);
        }
    }
    if (settings_.enable_lsd && !addresses.empty()) {
        lsd::LsdConfig config;
        config.listen_port = listen_port_;
        config.device = settings_.network_interface;
        // Listening on one IPv4 address: discovery goes out through that interface.
        const auto& listen = addresses.front();
        if (addresses.size() == 1 && listen.is_v4() && !listen.is_unspecified())
            config.interface_v4 = listen.to_v4();
        lsd_ = std::make_unique<lsd::Lsd>(executor_, config, [this](const SwarmHash& hash, const auto& peer) {
            on_peer_(hash, peer);
        });
        if (auto started = lsd_->start(); !started) {
            on_notice_("local discovery off: " + started.error().message);
            lsd_.reset();
        }
    }
    if (dht_) schedule();
}

PeerDiscovery::~PeerDiscovery() { stop(); }

void PeerDiscovery::add(const Hash& hash) {
    if (lsd_) lsd_->add_torrent(hash);
    if (dht_) due_.emplace(hash, std::chrono::steady_clock::now() + k_first_lookup);
}

void PeerDiscovery::remove(const Hash& hash) {
    if (lsd_) lsd_->remove_torrent(hash);
    due_.erase(hash);
}

void PeerDiscovery::device_recreated() {
    if (!lsd_) return;
    if (auto started = lsd_->start(); !started) {
        on_notice_("local discovery off: " + started.error().message);
        lsd_.reset();
    }
}

void PeerDiscovery::stop() {
    alive_.end();
    timer_.cancel();
    if (dht_) {
        save_dht_state();
        dht_->stop();
        dht_.reset();
    }
    if (lsd_) {
        lsd_->stop();
        lsd_.reset();
    }
}

std::size_t PeerDiscovery::dht_nodes() const { return dht_ ? dht_->node_count() : 0; }

std::optional<asio::ip::address> PeerDiscovery::dht_external_address() const {
    if (!dht_) return std::nullopt;
    return dht_->external_address();
}

void PeerDiscovery::schedule() {
    timer_.expires_after(k_tick);
    timer_.async_wait([this, alive = alive_.watch()](boost::system::error_code ec) {
        if (ec || !*alive || !dht_) return;
        const auto now = std::chrono::steady_clock::now();
        for (auto& [hash, due] : due_) {
            if (due > now) continue;
            due = now + (dht_->node_count() < k_settled_nodes ? k_retry_interval : k_lookup_interval);
            lookup(hash);
        }
        schedule();
    });
}

void PeerDiscovery::lookup(const Hash& hash) {
    auto alive = alive_.watch();
    dht_->get_peers(
        hash,
        [this, alive, hash](const std::vector<dht::Endpoint>& peers) {
            if (!*alive) return;
            for (const auto& p : peers) on_peer_(hash, asio::ip::tcp::endpoint(p.address(), p.port()));
        },
        [this, alive, hash](const dht::LookupSummary& summary) {
            if (!*alive || summary.peers > 0) return;
            auto it = due_.find(hash);
            const auto soon = std::chrono::steady_clock::now() + k_empty_lookup_interval;
            if (it != due_.end() && it->second > soon) it->second = soon;
        });
    dht_->announce(hash, announce_port_, false);
}

void PeerDiscovery::save_dht_state() const {
    if (settings_.state_dir.empty()) return;
    std::error_code ec;
    std::filesystem::create_directories(settings_.state_dir, ec);
    auto path = dht_state_file(settings_);
    auto temp = path;
    temp += ".part";
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        out << dht_->save_state();
        if (!out) return;
    }
    std::filesystem::rename(temp, path, ec);
}

}  // namespace shoal
