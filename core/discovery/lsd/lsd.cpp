#include "discovery/lsd/lsd.hpp"

#include <net/if.h>
#include <netinet/in.h>

#include <cstdio>
#include <random>

#include <boost/asio/ip/multicast.hpp>
#include <boost/asio/ip/v6_only.hpp>

#include "net/socket_binding.hpp"

namespace shoal::lsd {

namespace asio = boost::asio;
namespace ip = boost::asio::ip;
using udp = ip::udp;

struct Lsd::Channel {
    explicit Channel(asio::any_io_executor ex) : socket(ex) {}
    udp::socket socket;
    udp::endpoint group;
    std::string host;
    // One byte more than any announce we accept, so an oversized datagram shows as such.
    std::array<char, 2048> buffer{};
    udp::endpoint sender;
};

namespace {

std::string random_cookie() {
    std::random_device rd;
    std::uniform_int_distribution<std::uint64_t> dist;
    char text[17];
    std::snprintf(text, sizeof text, "%016llx", static_cast<unsigned long long>(dist(rd)));
    return text;
}

}  // namespace

Lsd::Lsd(asio::any_io_executor executor, LsdConfig config, OnPeer on_peer)
    : executor_(executor),
      config_(std::move(config)),
      on_peer_(std::move(on_peer)),
      timer_(executor),
      alive_(std::make_shared<Lsd*>(this)) {
    if (config_.cookie.empty())
        config_.cookie = random_cookie();
}

Lsd::~Lsd() {
    stop();
}

Result<bool> Lsd::start() {
    stop();
    alive_ = std::make_shared<Lsd*>(this);
    auto v4 = open_v4();
    if (!v4)
        return v4.error();
    if (config_.enable_v6)
        open_v6();
    receive(*v4_);
    if (v6_)
        receive(*v6_);
    schedule();
    return true;
}

void Lsd::stop() {
    alive_.reset();
    timer_.cancel();
    boost::system::error_code ignored;
    if (v4_)
        v4_->socket.close(ignored);
    if (v6_)
        v6_->socket.close(ignored);
    v4_.reset();
    v6_.reset();
}

Result<bool> Lsd::open_v4() {
    auto ch = std::make_unique<Channel>(executor_);
    ch->group = udp::endpoint(config_.group_v4, config_.group_port);
    ch->host = host_header(config_.group_v4.to_string(), config_.group_port);
    boost::system::error_code ec;
    auto& s = ch->socket;
    auto failed = [&](const char* what) {
        return make_error(std::string("local discovery: cannot ") + what + ": " + ec.message());
    };
    if (s.open(udp::v4(), ec))
        return failed("open an IPv4 UDP socket");
    if (auto bound = net::bind_to_device(s.native_handle(), config_.device); !bound)
        return make_error(bound.error().code, "local discovery: " + bound.error().message);
    // Other clients on this host listen on the same port.
    if (s.set_option(udp::socket::reuse_address(true), ec))
        return failed("share the LSD port");
    if (s.bind(udp::endpoint(ip::address_v4::any(), config_.group_port), ec)) {
        return failed("bind the LSD port");
    }
    if (!config_.device.empty()) {
        // The group is joined, and announces sent, on the device's index.
        ip_mreqn request{};
        request.imr_multiaddr.s_addr = htonl(config_.group_v4.to_uint());
        request.imr_ifindex = static_cast<int>(::if_nametoindex(config_.device.c_str()));
        if (::setsockopt(s.native_handle(), IPPROTO_IP, IP_ADD_MEMBERSHIP, &request, sizeof request) != 0 ||
            ::setsockopt(s.native_handle(), IPPROTO_IP, IP_MULTICAST_IF, &request, sizeof request) != 0) {
            ec.assign(errno, boost::system::system_category());
            return failed(("join the IPv4 LSD group on " + config_.device).c_str());
        }
    } else {
        if (s.set_option(ip::multicast::join_group(config_.group_v4, config_.interface_v4), ec)) {
            return failed("join the IPv4 LSD group");
        }
        if (!config_.interface_v4.is_unspecified() &&
            s.set_option(ip::multicast::outbound_interface(config_.interface_v4), ec)) {
            return failed("choose the multicast interface");
        }
    }
    if (s.set_option(ip::multicast::hops(config_.ttl), ec) ||
        s.set_option(ip::multicast::enable_loopback(config_.loopback), ec)) {
        return failed("set multicast options");
    }
    v4_ = std::move(ch);
    return true;
}

void Lsd::open_v6() {
    auto ch = std::make_unique<Channel>(executor_);
    ch->group = udp::endpoint(config_.group_v6, config_.group_port);
    ch->host = host_header(config_.group_v6.to_string(), config_.group_port);
    boost::system::error_code ec;
    auto& s = ch->socket;
    const unsigned interface = config_.device.empty()
                                   ? config_.interface_v6
                                   : ::if_nametoindex(config_.device.c_str());
    // Any failure means no IPv6 multicast here; IPv4 carries on alone.
    if (s.open(udp::v6(), ec) || !net::bind_to_device(s.native_handle(), config_.device) ||
        s.set_option(ip::v6_only(true), ec) ||
        s.set_option(udp::socket::reuse_address(true), ec) ||
        s.bind(udp::endpoint(ip::address_v6::any(), config_.group_port), ec) ||
        s.set_option(ip::multicast::join_group(config_.group_v6, interface), ec) ||
        (interface != 0 && s.set_option(ip::multicast::outbound_interface(interface), ec)) ||
        s.set_option(ip::multicast::hops(config_.ttl), ec) ||
        s.set_option(ip::multicast::enable_loopback(config_.loopback), ec)) {
        return;
    }
    v6_ = std::move(ch);
}

void Lsd::receive(Channel& channel) {
    std::weak_ptr<Lsd*> alive = alive_;
    channel.socket.async_receive_from(
        asio::buffer(channel.buffer), channel.sender,
        [alive, &channel](boost::system::error_code ec, std::size_t n) {
            auto self = alive.lock();
            if (!self || ec == asio::error::operation_aborted)
                return;
            Lsd* lsd = *self;
            if (!ec)
                lsd->handle_datagram({channel.buffer.data(), n}, channel.sender);
            // on_peer may have stopped (or restarted) us; `channel` is then gone.
            if (lsd->alive_ != self)
                return;
            lsd->receive(channel);
        });
}

void Lsd::handle_datagram(std::string_view data, const udp::endpoint& sender) {
    ++stats_.received;
    auto announce = parse_announce(data, config_.limits);
    if (!announce) {
        ++stats_.malformed;
        return;
    }
    if (announce->cookie == config_.cookie) {
        ++stats_.own;
        return;
    }
    if (!admit(sender.address(), Clock::now())) {
        ++stats_.rate_limited;
        return;
    }
    const ip::tcp::endpoint peer(sender.address(), announce->port);
    for (const auto& hash : announce->info_hashes) {
        if (!torrents_.count(hash))
            continue;
        ++stats_.peers_reported;
        if (on_peer_)
            on_peer_(hash, peer);
        // The callback may have stopped us.
        if (!alive_)
            return;
    }
}

bool Lsd::admit(const ip::address& source, Clock::time_point now) {
    auto it = sources_.find(source);
    if (it == sources_.end()) {
        if (sources_.size() >= config_.max_sources) {
            std::erase_if(sources_, [&](const auto& entry) {
                return now - entry.second.window_start >= config_.source_window;
            });
            if (sources_.size() >= config_.max_sources)
                return false;
        }
        it = sources_.emplace(source, SourceCount{now, 0}).first;
    }
    auto& s = it->second;
    if (now - s.window_start >= config_.source_window)
        s = SourceCount{now, 0};
    return ++s.count <= config_.max_per_source;
}

void Lsd::add_torrent(const SwarmHash& hash) {
    if (torrents_.emplace(hash, Clock::now()).second)
        schedule();
}

void Lsd::remove_torrent(const SwarmHash& hash) {
    torrents_.erase(hash);
    schedule();
}

void Lsd::announce_now(const SwarmHash& hash) {
    torrents_[hash] = Clock::now();
    schedule();
}

void Lsd::schedule() {
    if (!alive_ || !v4_)
        return;
    timer_.cancel();
    if (torrents_.empty())
        return;
    auto at = Clock::time_point::max();
    for (const auto& [hash, due] : torrents_)
        at = std::min(at, due);
    if (last_send_)
        at = std::max(at, *last_send_ + config_.min_send_interval);
    timer_.expires_at(at);
    std::weak_ptr<Lsd*> alive = alive_;
    timer_.async_wait([alive](boost::system::error_code ec) {
        auto self = alive.lock();
        if (!self || ec == asio::error::operation_aborted)
            return;
        (*self)->send_due();
    });
}

void Lsd::send_due() {
    const auto now = Clock::now();
    std::vector<SwarmHash> due;
    for (auto& [hash, next] : torrents_) {
        if (next > now)
            continue;
        due.push_back(hash);
        next = now + config_.announce_interval;
    }
    if (!due.empty()) {
        send_on(*v4_, due);
        if (v6_)
            send_on(*v6_, due);
        last_send_ = now;
    }
    schedule();
}

void Lsd::send_on(Channel& channel, const std::vector<SwarmHash>& hashes) {
    const Announce announce{channel.host, config_.listen_port, hashes, config_.cookie};
    for (auto& datagram : encode_announces(announce)) {
        auto data = std::make_shared<std::string>(std::move(datagram));
        // A lost announce is repeated at the next interval; nothing to do on error.
        channel.socket.async_send_to(asio::buffer(*data), channel.group,
                                     [data](boost::system::error_code, std::size_t) {});
        ++stats_.datagrams_sent;
    }
}

}  // namespace shoal::lsd
