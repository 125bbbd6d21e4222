// BEP 42 in a running node: once nodes in three networks report the same public address
// for us, our id changes to one that fits it; three nodes of one network are not enough.

#include <gtest/gtest.h>

#include "dht_test_util.hpp"
#include "discovery/dht/node_id_rules.hpp"

namespace shoal::dht {
namespace {

using namespace std::chrono_literals;

const Endpoint k_reported(boost::asio::ip::make_address("203.0.113.7"), 6881);

// A node that bootstraps from raw routers on loopback `hosts`; run() has each router answer
// every query with k_reported as our address.
class ReportingRouters {
  public:
    explicit ReportingRouters(const std::vector<unsigned>& hosts) {
        options_.bind_v4 = Endpoint(testing::loopback(1), 6881);
        node_ = std::make_unique<Node>(io_.get_executor(), options_);
        EXPECT_TRUE(node_->start().ok());
        first_ = node_->id();
        std::vector<std::string> bootstrap;
        for (unsigned host : hosts) {
            routers_.push_back(std::make_unique<testing::RawClient>(io_, host));
            bootstrap.push_back(to_string(routers_.back()->local()));
        }
        node_->bootstrap(bootstrap);
    }

    void run(const std::function<bool()>& done, std::chrono::milliseconds limit) {
        testing::run_until(
            io_,
            [&] {
                for (std::size_t i = 0; i < routers_.size(); ++i) {
                    for (const auto& query : routers_[i]->drain()) {
                        if (!query.is_query())
                            continue;
                        Message reply;
                        reply.transaction_id = query.transaction_id;
                        reply.external_ip = k_reported;
                        Response r;
                        r.id.bytes.fill(static_cast<std::uint8_t>(0x10 + i));
                        reply.body = r;
                        routers_[i]->send(reply, options_.bind_v4);
                        ++answered_;
                    }
                }
                return done();
            },
            limit);
    }

    Node& node() { return *node_; }
    NodeId first_id() const { return first_; }
    std::size_t answered() const { return answered_; }

  private:
    boost::asio::io_context io_;
    NodeOptions options_;
    std::unique_ptr<Node> node_;
    NodeId first_;
    std::vector<std::unique_ptr<testing::RawClient>> routers_;
    std::size_t answered_ = 0;
};

TEST(DhtExternal, AdoptsAnIdForTheReportedAddress) {
    // 127.0.1.50, 127.0.2.50, 127.0.3.50: three /24s.
    ReportingRouters net({(1u << 8) + 50, (2u << 8) + 50, (3u << 8) + 50});
    auto& node = net.node();
    net.run([&] { return node.external_address() == k_reported.address() && net.answered() >= 3; },
            5s);
    EXPECT_EQ(node.external_address(), k_reported.address());
    EXPECT_NE(node.id(), net.first_id());
    EXPECT_TRUE(node_id_matches_address(node.id(), k_reported.address()));
}

TEST(DhtExternal, OneNetworkIsOneVote) {
    ReportingRouters net({50, 51, 52});  // all in 127.0.0.0/24
    auto& node = net.node();
    net.run([&] { return net.answered() >= 3; }, 5s);
    net.run([] { return false; }, 500ms);  // the node reads the last replies
    EXPECT_GE(net.answered(), 3u);
    EXPECT_FALSE(node.external_address());
    EXPECT_EQ(node.id(), net.first_id());
}

}  // namespace
}  // namespace shoal::dht
