#pragma once
// The DHT node's state and its handlers; private to the node_*.cpp files. Lives in a
// shared_ptr so that socket and timer handlers can keep it alive until they have run.

#include <map>
#include <memory>
#include <random>
#include <set>

#include <boost/asio/ip/udp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "discovery/dht/external_address.hpp"
#include "discovery/dht/krpc.hpp"
#include "discovery/dht/lookup.hpp"
#include "discovery/dht/node.hpp"
#include "discovery/dht/rate_limits.hpp"
#include "discovery/dht/tokens.hpp"

namespace shoal::dht {

// "v" in our messages: a two-letter client code and a version (BEP 5 leaves the format open).
inline constexpr const char* k_client_version = "SH01";

class Node::Impl : public std::enable_shared_from_this<Node::Impl> {
  public:
    Impl(boost::asio::any_io_executor executor, NodeOptions options);

    // One address family: its socket, its routing table (BEP 32 keeps them apart).
    struct Family {
        Family(boost::asio::any_io_executor executor, bool v6, RoutingTable table)
            : socket(executor), table(std::move(table)), v6(v6) {}
        boost::asio::ip::udp::socket socket;  // unused when `shared` is set
        net::UdpPort* shared = nullptr;
        RoutingTable table;
        bool v6;
        Endpoint local;  // where the socket is bound, known once started
        std::array<char, 2048> buffer{};
        Endpoint sender;
    };

    // A reply (response or error) to one of our queries, or nullptr on timeout.
    using ReplyHandler = std::function<void(const Message* reply)>;
    struct Pending {
        Family* family;
        Endpoint to;
        TimePoint deadline;
        ReplyHandler on_reply;
        // Called once when the query has been unanswered for query_slow_after (lookups).
        TimePoint slow_at;
        std::function<void()> on_slow;
    };

    // Several lookups (one per family) that report to one caller.
    struct LookupGroup {
        std::size_t remaining = 0;
        LookupSummary summary;
        TimePoint started;
        std::set<Endpoint> peers_seen;
        PeersCallback on_peers;
        DoneCallback on_done;
        // announce: the port to announce once the lookups are done.
        std::optional<std::uint16_t> announce_port;
        bool implied_port = false;
        std::size_t announces_outstanding = 0;
    };
    struct LookupRun {
        Lookup lookup;
        Family* family;
        Method method;                       // find_node or get_peers
        std::shared_ptr<LookupGroup> group;  // null for find_node (bootstrap, refresh)
        bool refresh_after = false;          // bootstrap: refresh every bucket when done
    };

    // node.cpp: sockets, timers, dispatch.
    Result<Endpoint> start();
    void stop();
    void receive(Family& family);
    // A datagram from a shared port: false when it is not for the DHT.
    bool take_shared(Family& family, std::span<const std::uint8_t> datagram, const Endpoint& from);
    void on_datagram(Family& family, std::size_t size);
    void on_reply_message(Family& family, Message& message, const Endpoint& from);
    bool send(Family& family, const Endpoint& to, const Message& message);
    bool send_query(Family& family, const Endpoint& to, Query query, ReplyHandler on_reply,
                    std::function<void()> on_slow = nullptr);
    void schedule_tick();
    void on_tick();
    void maintain(TimePoint now);
    // Records contact with a node in `family`'s table, subject to the BEP 42 rules.
    void note_contact(Family& family, const NodeEntry& node, RoutingTable::Seen how);
    // BEP 42: once enough nodes agree on our public address, take an id that fits it.
    void adopt_external_address(const Address& address);
    std::vector<Family*> families();
    std::size_t node_count_all() const {
        return (v4_ ? v4_->table.size() : 0) + (v6_ ? v6_->table.size() : 0);
    }

    // node_queries.cpp: answering other nodes.
    void on_query(Family& family, const Message& message, const Endpoint& from);
    void send_error(Family& family, const Endpoint& to, const std::string& transaction_id,
                    ErrorCode code, std::string text);

    // node_lookups.cpp: iterative lookups, bootstrap, announce.
    void bootstrap(std::vector<std::string> host_ports);
    void bootstrap_from(const std::vector<Endpoint>& endpoints);
    std::uint64_t start_lookup(Family& family, const NodeId& target, Method method,
                               std::shared_ptr<LookupGroup> group,
                               const std::vector<Endpoint>& seeds);
    void step(std::uint64_t lookup_id);
    void on_lookup_reply(std::uint64_t lookup_id, const Endpoint& from, const Message* reply);
    void finish_lookup(std::uint64_t lookup_id);
    void group_lookup(const SwarmHash& hash, std::shared_ptr<LookupGroup> group);
    void send_announces(Family& family, LookupRun& run, const std::shared_ptr<LookupGroup>& group);
    void finish_group(const std::shared_ptr<LookupGroup>& group);
    void ping(Family& family, const Endpoint& to);

    // node_state.cpp
    std::string save_state() const;
    Result<std::size_t> load_state(std::string_view bytes);

    TimePoint now() const { return Clock::now(); }

    // Runs a user callback later on the executor, and only if the node is still running,
    // so callbacks never re-enter the node while it is mid-update.
    template <class F>
    void deliver(F f) {
        boost::asio::post(executor_, [self = shared_from_this(), f = std::move(f)]() mutable {
            if (self->running_)
                f();
        });
    }

    boost::asio::any_io_executor executor_;
    NodeOptions options_;
    std::mt19937_64 rng_;
    NodeId id_;
    TokenIssuer tokens_;
    PeerStore peer_store_;
    SourceLimiter source_limiter_;
    PacketBudget send_budget_;
    NodeStats stats_;
    std::unique_ptr<Family> v4_;
    std::unique_ptr<Family> v6_;
    boost::asio::steady_timer tick_timer_;
    TimePoint last_maintenance_{};
    bool running_ = false;

    std::map<std::string, Pending> pending_;
    std::map<std::uint64_t, LookupRun> lookups_;
    std::uint64_t next_lookup_id_ = 1;

    std::vector<Endpoint> bootstrap_endpoints_;
    TimePoint last_bootstrap_{};
    std::vector<NodeEntry> saved_nodes_;
    ExternalAddressVotes external_votes_;
};

}  // namespace shoal::dht
