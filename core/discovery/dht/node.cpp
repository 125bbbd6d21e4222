#include "discovery/dht/node.hpp"

#include <limits>

#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>

#include "discovery/dht/node_id_rules.hpp"
#include "discovery/dht/node_impl.hpp"

namespace shoal::dht {
namespace {

namespace asio = boost::asio;
using asio::ip::udp;

constexpr auto k_tick = std::chrono::milliseconds(200);
constexpr auto k_maintenance_every = std::chrono::seconds(5);
constexpr auto k_rebootstrap_every = std::chrono::seconds(60);
constexpr std::size_t k_pings_per_maintenance = 4;

std::uint64_t pick_seed(std::uint64_t seed) {
    if (seed != 0)
        return seed;
    std::random_device device;
    return (static_cast<std::uint64_t>(device()) << 32) | device();
}

NodeId initial_id(const NodeOptions& options, std::mt19937_64& rng) {
    if (options.id)
        return *options.id;
    if (options.external_address && !is_exempt_address(*options.external_address))
        return node_id_for_address(*options.external_address, static_cast<std::uint8_t>(rng()),
                                   rng);
    return random_node_id(rng);
}

}  // namespace

Node::Impl::Impl(asio::any_io_executor executor, NodeOptions options)
    : executor_(executor),
      options_(std::move(options)),
      rng_(pick_seed(options_.seed)),
      id_(initial_id(options_, rng_)),
      tokens_(Clock::now(), rng_()),
      peer_store_(options_.peers),
      source_limiter_(options_.max_queries_per_source_per_second, options_.max_sources_per_second),
      send_budget_(options_.max_packets_per_second),
      tick_timer_(executor) {}

std::vector<Node::Impl::Family*> Node::Impl::families() {
    std::vector<Family*> out;
    for (auto* f : {v4_.get(), v6_.get()}) {
        if (f)
            out.push_back(f);
    }
    return out;
}

Result<Endpoint> Node::Impl::start() {
    if (running_)
        return v4_->local;
    auto open = [&](const Endpoint& bind, bool v6) -> Result<std::unique_ptr<Family>> {
        auto family =
            std::make_unique<Family>(executor_, v6, RoutingTable(id_, now(), options_.routing));
        boost::system::error_code ec;
        family->socket.open(v6 ? udp::v6() : udp::v4(), ec);
        if (!ec && v6)
            family->socket.set_option(asio::ip::v6_only(true), ec);
        if (!ec)
            family->socket.bind(bind, ec);
        if (!ec)
            family->socket.non_blocking(true, ec);
        if (!ec)
            family->local = family->socket.local_endpoint(ec);
        // A larger receive buffer rides out bursts (a lookup's replies arrive together);
        // the kernel may cap it, which is fine.
        boost::system::error_code ignored;
        family->socket.set_option(asio::socket_base::receive_buffer_size(1 << 20), ignored);
        if (ec)
            return make_error("DHT cannot listen on " + to_string(bind) + ": " + ec.message());
        return family;
    };
    auto share = [&](net::UdpPort& port) {
        const bool v6 = port.local_endpoint().address().is_v6();
        auto family =
            std::make_unique<Family>(executor_, v6, RoutingTable(id_, now(), options_.routing));
        family->shared = &port;
        family->local = port.local_endpoint();
        // The port outlives start() to stop(); after that the node may be gone.
        port.add_receiver([weak = weak_from_this(), family = family.get()](
                              std::span<const std::uint8_t> datagram, const Endpoint& from) {
            auto self = weak.lock();
            return self && self->running_ && self->take_shared(*family, datagram, from);
        });
        return family;
    };
    if (options_.port_v4) {
        if (!options_.port_v4->local_endpoint().address().is_v4())
            return make_error("DHT IPv4 port is not IPv4");
        v4_ = share(*options_.port_v4);
        if (options_.port_v6)
            v6_ = share(*options_.port_v6);
    } else {
        if (!options_.bind_v4.address().is_v4())
            return make_error("DHT IPv4 bind address " + to_string(options_.bind_v4) +
                              " is not IPv4");
        auto v4 = open(options_.bind_v4, false);
        if (!v4)
            return v4.error();
        v4_ = std::move(*v4);
        if (options_.bind_v6) {
            auto v6 = open(*options_.bind_v6, true);
            if (!v6) {
                v4_.reset();
                return v6.error();
            }
            v6_ = std::move(*v6);
        }
    }
    running_ = true;
    for (auto* family : families())
        receive(*family);
    last_maintenance_ = now();
    schedule_tick();
    // Nodes from a saved state: a ping answered puts them back into the table.
    for (const auto& node : saved_nodes_) {
        auto* family = node.endpoint.address().is_v6() ? v6_.get() : v4_.get();
        if (family)
            ping(*family, node.endpoint);
    }
    saved_nodes_.clear();
    return v4_->local;
}

void Node::Impl::stop() {
    running_ = false;
    boost::system::error_code ignored;
    for (auto* family : families())
        family->socket.close(ignored);
    tick_timer_.cancel();
    pending_.clear();
    lookups_.clear();
}

void Node::Impl::receive(Family& family) {
    if (family.shared)
        return;  // the port hands datagrams over through take_shared
    family.socket.async_receive_from(
        asio::buffer(family.buffer), family.sender,
        [self = shared_from_this(), &family](boost::system::error_code ec, std::size_t size) {
            if (!self->running_ || ec == asio::error::operation_aborted)
                return;
            if (!ec)
                self->on_datagram(family, size);
            self->receive(family);
        });
}

bool Node::Impl::take_shared(Family& family, std::span<const std::uint8_t> datagram,
                             const Endpoint& from) {
    // KRPC messages are bencoded dictionaries; uTP packets and tracker replies never start
    // with a 'd'.
    if (datagram.empty() || datagram[0] != 'd')
        return false;
    const std::size_t size = std::min(datagram.size(), family.buffer.size());
    std::copy_n(datagram.begin(), size, family.buffer.begin());
    family.sender = from;
    // A datagram that filled the buffer counts as cut short, as from a socket of our own.
    on_datagram(family, datagram.size() > size ? family.buffer.size() : size);
    return true;
}

void Node::Impl::on_datagram(Family& family, std::size_t size) {
    ++stats_.packets_received;
    const Endpoint from = family.sender;
    // The buffer is larger than any datagram we accept, so a full one was cut short.
    if (size > k_max_datagram) {
        ++stats_.dropped_oversized;
        return;
    }
    auto decoded = decode_message(std::string_view(family.buffer.data(), size));
    if (auto* failure = std::get_if<DecodeFailure>(&decoded)) {
        ++stats_.dropped_malformed;
        if (failure->query && failure->transaction_id && !options_.read_only &&
            source_limiter_.allow(from.address(), now()))
            send_error(family, from, *failure->transaction_id,
                       failure->unknown_method ? ErrorCode::method_unknown : ErrorCode::protocol,
                       failure->error.message);
        return;
    }
    auto& message = std::get<Message>(decoded);
    if (message.is_query())
        on_query(family, message, from);
    else
        on_reply_message(family, message, from);
}

void Node::Impl::note_contact(Family& family, const NodeEntry& node, RoutingTable::Seen how) {
    if (node.id == id_)
        return;
    const bool verified = node_id_matches_address(node.id, node.endpoint.address());
    if (options_.enforce_node_ids && !verified)
        return;
    family.table.on_contact(node, how, now(), verified);
}

void Node::Impl::adopt_external_address(const Address& address) {
    if (options_.id || is_exempt_address(address) || node_id_matches_address(id_, address))
        return;
    id_ = node_id_for_address(address, static_cast<std::uint8_t>(rng_()), rng_);
    // The tables are organised around our id: rebuild them. The nodes stay, as questionable
    // ones that maintenance pings back to good.
    const auto t = now();
    for (auto* family : families()) {
        const auto nodes = family->table.closest(id_, std::numeric_limits<std::size_t>::max());
        family->table = RoutingTable(id_, t, options_.routing);
        for (const auto& node : nodes)
            note_contact(*family, node, RoutingTable::Seen::queried);
    }
}

void Node::Impl::on_reply_message(Family& family, Message& message, const Endpoint& from) {
    auto it = pending_.find(message.transaction_id);
    // Replies must come from the address we asked; anything else may be spoofed.
    if (it == pending_.end() || it->second.to != from || it->second.family != &family) {
        ++stats_.dropped_unexpected;
        return;
    }
    auto handler = std::move(it->second.on_reply);
    pending_.erase(it);
    if (auto* response = std::get_if<Response>(&message.body)) {
        ++stats_.responses_received;
        note_contact(family, NodeEntry{response->id, from}, RoutingTable::Seen::replied);
        // One id serves both families, so it follows one address: the IPv4 one when we
        // have IPv4 at all (otherwise the id would flip between the two).
        if (message.external_ip && (!family.v6 || !v4_) &&
            external_votes_.add(message.external_ip->address(), from.address(), now()))
            adopt_external_address(*external_votes_.address());
    } else {
        ++stats_.errors_received;
    }
    if (handler)
        handler(&message);
}

bool Node::Impl::send(Family& family, const Endpoint& to, const Message& message) {
    if (!running_)
        return false;
    if (!send_budget_.take(now())) {
        ++stats_.dropped_send_budget;
        return false;
    }
    const std::string bytes = encode_message(message);
    if (family.shared) {
        const auto* data = reinterpret_cast<const std::uint8_t*>(bytes.data());
        if (!family.shared->send_to({data, bytes.size()}, to))
            return false;
    } else {
        boost::system::error_code ec;
        // Non-blocking: a full socket buffer loses the packet, as the network might anyway.
        family.socket.send_to(asio::buffer(bytes), to, 0, ec);
        if (ec)
            return false;
    }
    ++stats_.packets_sent;
    return true;
}

bool Node::Impl::send_query(Family& family, const Endpoint& to, Query query, ReplyHandler on_reply,
                            std::function<void()> on_slow) {
    query.id = id_;
    Message message;
    for (int attempt = 0; attempt < 8; ++attempt) {
        std::string tid(4, '\0');
        const auto r = rng_();
        for (std::size_t i = 0; i < tid.size(); ++i)
            tid[i] = static_cast<char>(r >> (8 * i));
        if (!pending_.contains(tid)) {
            message.transaction_id = tid;
            break;
        }
    }
    if (message.transaction_id.empty())
        return false;
    message.body = std::move(query);
    message.version = k_client_version;
    message.read_only = options_.read_only;
    if (!send(family, to, message))
        return false;
    const auto t = now();
    pending_.emplace(message.transaction_id,
                     Pending{&family, to, t + options_.query_timeout, std::move(on_reply),
                             t + options_.query_slow_after, std::move(on_slow)});
    return true;
}

void Node::Impl::schedule_tick() {
    tick_timer_.expires_after(k_tick);
    tick_timer_.async_wait([self = shared_from_this()](boost::system::error_code ec) {
        if (ec || !self->running_)
            return;
        self->on_tick();
        self->schedule_tick();
    });
}

void Node::Impl::on_tick() {
    const auto t = now();
    std::vector<Pending> expired;
    std::vector<std::function<void()>> slow;
    for (auto it = pending_.begin(); it != pending_.end();) {
        if (it->second.deadline <= t) {
            expired.push_back(std::move(it->second));
            it = pending_.erase(it);
            continue;
        }
        if (it->second.on_slow && it->second.slow_at <= t) {
            slow.push_back(std::move(it->second.on_slow));
            it->second.on_slow = nullptr;
        }
        ++it;
    }
    // Callbacks run after the scan: they send queries, which add to pending_.
    for (auto& on_slow : slow) {
        on_slow();
        if (!running_)
            return;
    }
    for (auto& p : expired) {
        ++stats_.timeouts;
        p.family->table.on_timeout(p.to, t);
        if (p.on_reply)
            p.on_reply(nullptr);
        if (!running_)
            return;
    }
    if (t - last_maintenance_ >= k_maintenance_every) {
        last_maintenance_ = t;
        maintain(t);
    }
}

void Node::Impl::maintain(TimePoint t) {
    peer_store_.expire(t);
    for (auto* family : families()) {
        auto to_ping = family->table.nodes_to_ping(t);
        if (to_ping.size() > k_pings_per_maintenance)
            to_ping.resize(k_pings_per_maintenance);
        for (const auto& node : to_ping)
            ping(*family, node.endpoint);
        if (family->table.size() == 0)
            continue;
        for (const auto& target : family->table.refresh_targets(t, rng_))
            start_lookup(*family, target, Method::find_node, nullptr, {});
    }
    const bool empty = node_count_all() == 0;
    if (empty && !bootstrap_endpoints_.empty() && t - last_bootstrap_ >= k_rebootstrap_every)
        bootstrap_from(bootstrap_endpoints_);
}

// Node: the public face forwards to Impl.

Node::Node(asio::any_io_executor executor, NodeOptions options)
    : impl_(std::make_shared<Impl>(executor, std::move(options))) {}

Node::~Node() {
    impl_->stop();
}

Result<Endpoint> Node::start() {
    return impl_->start();
}
void Node::bootstrap(std::vector<std::string> host_ports) {
    impl_->bootstrap(std::move(host_ports));
}
void Node::stop() {
    impl_->stop();
}
NodeId Node::id() const {
    return impl_->id_;
}
NodeStats Node::stats() const {
    return impl_->stats_;
}
std::size_t Node::node_count() const {
    return impl_->node_count_all();
}
std::string Node::save_state() const {
    return impl_->save_state();
}
Result<std::size_t> Node::load_state(std::string_view bytes) {
    return impl_->load_state(bytes);
}

std::optional<Address> Node::external_address() const {
    return impl_->external_votes_.address();
}

void Node::get_peers(const SwarmHash& hash, PeersCallback on_peers, DoneCallback on_done) {
    auto group = std::make_shared<Impl::LookupGroup>();
    group->on_peers = std::move(on_peers);
    group->on_done = std::move(on_done);
    impl_->group_lookup(hash, std::move(group));
}

void Node::announce(const SwarmHash& hash, std::uint16_t port, bool implied_port,
                    DoneCallback on_done) {
    auto group = std::make_shared<Impl::LookupGroup>();
    group->on_done = std::move(on_done);
    // Port 0 is what "implied" means on the wire; without implied_port it is not a port.
    group->announce_port = port;
    group->implied_port = implied_port || port == 0;
    impl_->group_lookup(hash, std::move(group));
}

}  // namespace shoal::dht
