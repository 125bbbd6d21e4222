// GCC 12 at -O3 misreads Asio's recycled coroutine frames as freeing a non-heap pointer
// (-Wfree-nonheap-object, a false positive); the frames come from operator new.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wfree-nonheap-object"
#endif

#include "discovery/tracker/udp_tracker.hpp"

#include <exception>
#include <optional>
#include <variant>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "discovery/tracker/tracker_url.hpp"
#include "tracker_protocol/udp_client_packets.hpp"
#include "util/host_lookup.hpp"

namespace shoal::tracker_client {
namespace {

using tracker_protocol::Bytes;
using tracker_protocol::ByteView;
using tracker_protocol::decode_announce_reply;
using tracker_protocol::decode_connect_reply;
using tracker_protocol::decode_scrape_reply;
using tracker_protocol::encode_announce_request;
using tracker_protocol::encode_connect_request;
using tracker_protocol::encode_scrape_request;
using tracker_protocol::k_udp_max_scrape_hashes;
using tracker_protocol::peek_udp_header;

namespace asio = boost::asio;
using asio::ip::udp;
using namespace asio::experimental::awaitable_operators;
using Clock = std::chrono::steady_clock;

constexpr auto k_use = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t k_max_datagram = 65536;

using Received = Result<std::optional<Bytes>>;

asio::awaitable<Received> receive_reply(udp::socket& socket, std::uint32_t transaction_id,
                                        Clock::time_point deadline) {
    asio::steady_timer timer(socket.get_executor());
    Bytes buffer(k_max_datagram);
    for (;;) {
        timer.expires_at(deadline);
        auto outcome =
            co_await (socket.async_receive(asio::buffer(buffer), k_use) || timer.async_wait(k_use));
        if (outcome.index() == 1)
            co_return std::optional<Bytes>{};
        auto [ec, size] = std::get<0>(outcome);
        if (ec)
            co_return make_error(ErrorCode::network, ec.message());
        auto header = peek_udp_header(ByteView(buffer.data(), size));
        // Stray or late packets (an earlier try's reply) are not ours to judge.
        if (!header || header->transaction_id != transaction_id)
            continue;
        co_return Bytes(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(size));
    }
}

}  // namespace

struct UdpTrackerClient::Waiting {
    explicit Waiting(const asio::any_io_executor& executor) : timer(executor) {}
    asio::steady_timer timer;
    std::optional<Bytes> reply;
};

UdpTrackerClient::UdpTrackerClient(UdpTrackerOptions options)
    : options_(options), rng_(std::random_device{}()) {}

UdpTrackerClient::~UdpTrackerClient() = default;

void UdpTrackerClient::use_ports(net::UdpPort* v4, net::UdpPort* v6) {
    port_v4_ = v4;
    port_v6_ = v6;
    for (net::UdpPort* port : {v4, v6}) {
        if (port)
            port->add_receiver([this](std::span<const std::uint8_t> datagram, const udp::endpoint& from) {
                return on_datagram(datagram, from);
            });
    }
}

net::UdpPort* UdpTrackerClient::port_for(const udp::endpoint& to) const {
    return to.address().is_v6() ? port_v6_ : port_v4_;
}

bool UdpTrackerClient::on_datagram(std::span<const std::uint8_t> datagram, const udp::endpoint& from) {
    // Only a reply to a request under way is ours; everything else is left to uTP and the DHT.
    if (waiting_.empty())
        return false;
    const auto header = peek_udp_header(ByteView(datagram.data(), datagram.size()));
    if (!header)
        return false;
    const auto it = waiting_.find({from, header->transaction_id});
    if (it == waiting_.end())
        return false;
    it->second->reply.emplace(datagram.begin(), datagram.end());
    it->second->timer.cancel();
    waiting_.erase(it);
    return true;
}

asio::awaitable<Received> UdpTrackerClient::exchange(udp::socket& own, udp::endpoint to, Bytes packet,
                                                     std::uint32_t transaction_id, Clock::time_point deadline) {
    if (own.is_open()) {
        auto [ec, sent] = co_await own.async_send(asio::buffer(packet), k_use);
        (void)sent;
        if (ec)
            co_return make_error(ErrorCode::network, "cannot send: " + ec.message());
        co_return co_await receive_reply(own, transaction_id, deadline);
    }
    const WaitingKey key{to, transaction_id};
    if (waiting_.contains(key))
        co_return make_error(ErrorCode::network, "a request with this transaction id is under way");
    Waiting waiting(co_await asio::this_coro::executor);
    waiting_[key] = &waiting;
    // However this ends (a reply, silence, or the request abandoned), the entry goes with it.
    struct Unlist {
        std::map<WaitingKey, Waiting*>& waiting;
        WaitingKey key;
        ~Unlist() { waiting.erase(key); }
    } unlist{waiting_, key};
    if (!port_for(to)->send_to(packet, to))
        co_return make_error(ErrorCode::network, "cannot send: the UDP port is closed or its queue is full");
    waiting.timer.expires_at(deadline);
    co_await waiting.timer.async_wait(k_use);
    co_return std::move(waiting.reply);
}

template <class Reply, class Encode, class Decode>
asio::awaitable<Result<Reply>> UdpTrackerClient::request(const std::string& url, Encode encode,
                                                         Decode decode) {
    const std::string prefix = "tracker " + url;
    auto parts = split_tracker_url(url);
    if (!parts)
        co_return parts.error();
    if (parts->scheme != "udp")
        co_return make_error(ErrorCode::invalid_input, prefix + ": not a udp URL");

    auto executor = co_await asio::this_coro::executor;
    auto addresses = co_await lookup_host(parts->host);
    if (!addresses)
        co_return make_error(addresses.error().code, prefix + ": cannot resolve " + parts->host +
                                                         ": " + addresses.error().message);
    const udp::endpoint endpoint(addresses->front(), parts->port);

    // Open only when no shared port serves the tracker's address family.
    udp::socket socket(executor);
    if (!port_for(endpoint)) {
        boost::system::error_code ec;
        socket.open(endpoint.protocol(), ec);
        if (!ec)
            socket.connect(endpoint, ec);
        if (ec)
            co_return make_error(ErrorCode::network,
                                 prefix + ": cannot open a socket: " + ec.message());
    }

    // BEP 15: the timeout doubles with every send that goes unanswered, and a connection id
    // that expired while we waited is fetched anew.
    int tries = 0;
    while (tries < options_.max_tries) {
        const auto wait = options_.base_timeout * (1 << std::min(tries, 8));
        std::optional<std::uint64_t> connection_id;
        if (auto cached = connection_ids_.find(endpoint); cached != connection_ids_.end()) {
            if (Clock::now() - cached->second.received < options_.connection_id_lifetime)
                connection_id = cached->second.id;
            else
                connection_ids_.erase(cached);
        }
        if (!connection_id) {
            const std::uint32_t transaction_id = rng_();
            auto reply = co_await exchange(socket, endpoint, encode_connect_request(transaction_id),
                                           transaction_id, Clock::now() + wait);
            if (!reply)
                co_return make_error(reply.error().code, prefix + ": " + reply.error().message);
            if (!*reply) {
                ++tries;
                continue;
            }
            auto id = decode_connect_reply(**reply, transaction_id);
            if (!id)
                co_return make_error(id.error().code, prefix + " replied: " + id.error().message);
            connection_ids_[endpoint] = ConnectionId{*id, Clock::now()};
            // A fresh id is used at once, whatever its configured lifetime.
            connection_id = *id;
        }
        const std::uint32_t transaction_id = rng_();
        auto reply = co_await exchange(socket, endpoint, encode(*connection_id, transaction_id),
                                       transaction_id, Clock::now() + wait);
        if (!reply)
            co_return make_error(reply.error().code, prefix + ": " + reply.error().message);
        if (!*reply) {
            ++tries;
            continue;
        }
        Result<Reply> decoded =
            decode(ByteView(**reply), transaction_id, endpoint.address().is_v6());
        if (!decoded) {
            // A tracker that refuses us may have forgotten the connection id; start afresh.
            connection_ids_.erase(endpoint);
            co_return make_error(decoded.error().code,
                                 prefix + " replied: " + decoded.error().message);
        }
        co_return decoded;
    }
    co_return make_error(ErrorCode::timeout, prefix + ": no reply after " +
                                                 std::to_string(options_.max_tries) +
                                                 (options_.max_tries == 1 ? " try" : " tries"));
}

asio::awaitable<Result<AnnounceResponse>> UdpTrackerClient::announce(std::string url,
                                                                     AnnounceRequest request) {
    try {
        auto parts = split_tracker_url(url);
        const std::string url_data = parts ? parts->target : std::string();
        co_return co_await this->request<AnnounceResponse>(
            url,
            [&](std::uint64_t connection_id, std::uint32_t transaction_id) {
                // "/" alone carries nothing; the option is only worth its bytes with a path.
                return encode_announce_request(connection_id, transaction_id, request,
                                               url_data == "/" ? std::string_view() : url_data);
            },
            [&](ByteView packet, std::uint32_t transaction_id, bool ipv6) {
                return decode_announce_reply(packet, transaction_id, ipv6, options_.max_peers);
            });
    } catch (const std::exception& e) {
        co_return make_error("tracker " + url + ": " + e.what());
    }
}

asio::awaitable<Result<ScrapeResponse>> UdpTrackerClient::scrape(std::string url,
                                                                 std::vector<SwarmHash> hashes) {
    try {
        if (hashes.size() > k_udp_max_scrape_hashes)
            hashes.resize(k_udp_max_scrape_hashes);
        co_return co_await this->request<ScrapeResponse>(
            url,
            [&](std::uint64_t connection_id, std::uint32_t transaction_id) {
                return encode_scrape_request(connection_id, transaction_id, hashes);
            },
            [&](ByteView packet, std::uint32_t transaction_id, bool) {
                return decode_scrape_reply(packet, transaction_id, hashes);
            });
    } catch (const std::exception& e) {
        co_return make_error("tracker " + url + ": " + e.what());
    }
}

}  // namespace shoal::tracker_client
