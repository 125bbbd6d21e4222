// BEP 42 in a running node: once three nodes report the same public address for us, our id
// changes to one that fits it.

#include <gtest/gtest.h>

#include "dht_test_util.hpp"
#include "discovery/dht/node_id_rules.hpp"

namespace shoal::dht {
namespace {

using namespace std::chrono_literals;

TEST(DhtExternal, AdoptsAnIdForTheReportedAddress) {
    boost::asio::io_context io;
    NodeOptions options;
    options.bind_v4 = Endpoint(testing::loopback(1), 6881);
    Node node(io.get_executor(), options);
    ASSERT_TRUE(node.start().ok());
    const NodeId first = node.id();

    const Endpoint reported(boost::asio::ip::make_address("203.0.113.7"), 6881);
    std::vector<std::unique_ptr<testing::RawClient>> routers;
    std::vector<std::string> bootstrap;
    for (unsigned i = 0; i < 3; ++i) {
        routers.push_back(std::make_unique<testing::RawClient>(io, 50 + i));
        bootstrap.push_back(to_string(routers.back()->local()));
    }
    node.bootstrap(bootstrap);
    std::size_t answered = 0;
    testing::run_until(
        io,
        [&] {
            for (std::size_t i = 0; i < routers.size(); ++i) {
                for (const auto& query : routers[i]->drain()) {
                    if (!query.is_query())
                        continue;
                    Message reply;
                    reply.transaction_id = query.transaction_id;
                    reply.external_ip = reported;
                    Response r;
                    r.id.bytes.fill(static_cast<std::uint8_t>(0x10 + i));
                    reply.body = r;
                    routers[i]->send(reply, options.bind_v4);
                    ++answered;
                }
            }
            return node.external_address() == reported.address() && answered >= 3;
        },
        5s);
    EXPECT_EQ(node.external_address(), reported.address());
    EXPECT_NE(node.id(), first);
    EXPECT_TRUE(node_id_matches_address(node.id(), reported.address()));
}

}  // namespace
}  // namespace shoal::dht
