// Local discovery over loopback multicast: two instances find each other's torrents, ignore
// their own announces, drop garbage and rate-limit a flooding source.
// Only runs inside the private network namespace ctest sets up (SHOAL_LSD_NETNS=1).

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <functional>
#include <set>
#include <utility>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/multicast.hpp>
#include <boost/asio/ip/udp.hpp>

#include "discovery/lsd/lsd.hpp"

namespace shoal::lsd {
namespace {

namespace asio = boost::asio;
namespace ip = boost::asio::ip;
using namespace std::chrono_literals;

const SwarmHash k_shared = *SwarmHash::from_hex("c0fda1edafdbdbb96443424e0b3899af7159d10e");
const SwarmHash k_only_a = *SwarmHash::from_hex("1111111111111111111111111111111111111111");
const SwarmHash k_only_b = *SwarmHash::from_hex("2222222222222222222222222222222222222222");

using Found = std::set<std::pair<SwarmHash, ip::tcp::endpoint>>;

LsdConfig loopback_config(std::uint16_t listen_port) {
    LsdConfig c;
    c.interface_v4 = ip::make_address_v4("127.0.0.1");
    c.enable_v6 = false;
    c.listen_port = listen_port;
    c.announce_interval = 300ms;
    c.min_send_interval = 50ms;
    return c;
}

class LsdTest : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!std::getenv("SHOAL_LSD_NETNS"))
            GTEST_SKIP() << "needs a private network namespace";
    }

    // Runs the loop until `done` holds or `limit` passes; says which.
    bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit = 5s) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (!done()) {
            if (std::chrono::steady_clock::now() > deadline)
                return false;
            io_.run_for(20ms);
        }
        return true;
    }

    void send_raw(std::string_view datagram, const ip::udp::endpoint& to) {
        ip::udp::socket s(io_, ip::udp::v4());
        s.set_option(ip::multicast::outbound_interface(ip::make_address_v4("127.0.0.1")));
        s.send_to(asio::buffer(datagram.data(), datagram.size()), to);
    }

    const ip::udp::endpoint group_{ip::make_address(k_group_v4), k_lsd_port};
    asio::io_context io_;
};

TEST_F(LsdTest, TwoInstancesFindEachOtherAndIgnoreThemselves) {
    Found found_a, found_b;
    Lsd a(io_.get_executor(), loopback_config(1111),
          [&](const SwarmHash& h, const ip::tcp::endpoint& e) {
              found_a.insert({h, e});
          });
    Lsd b(io_.get_executor(), loopback_config(2222),
          [&](const SwarmHash& h, const ip::tcp::endpoint& e) {
              found_b.insert({h, e});
          });
    ASSERT_TRUE(a.start().ok());
    auto started = b.start();
    ASSERT_TRUE(started.ok()) << started.error().message;
    a.add_torrent(k_shared);
    a.add_torrent(k_only_a);
    b.add_torrent(k_shared);
    b.add_torrent(k_only_b);

    const auto loopback = ip::make_address("127.0.0.1");
    const Found want_a{{k_shared, {loopback, 2222}}};
    const Found want_b{{k_shared, {loopback, 1111}}};
    ASSERT_TRUE(run_until([&] { return found_a == want_a && found_b == want_b; }))
        << "a found " << found_a.size() << ", b found " << found_b.size();
    // Each heard its own announce come back and dropped it; each announced again on time.
    ASSERT_TRUE(run_until([&] { return a.stats().datagrams_sent >= 3; }));
    EXPECT_GT(a.stats().own, 0u);
    EXPECT_GT(b.stats().own, 0u);
    EXPECT_EQ(found_a, want_a);  // never itself, never a torrent it does not have
    EXPECT_EQ(found_b, want_b);
    EXPECT_EQ(a.stats().malformed, 0u);
}

TEST_F(LsdTest, AnnounceNowAndRemoveTorrent) {
    Found found;
    auto config = loopback_config(3333);
    config.announce_interval = 1h;
    Lsd listener(io_.get_executor(), loopback_config(4444),
                 [&](const SwarmHash& h, const ip::tcp::endpoint& e) {
                     found.insert({h, e});
                 });
    Lsd announcer(io_.get_executor(), config, nullptr);
    ASSERT_TRUE(listener.start().ok());
    ASSERT_TRUE(announcer.start().ok());
    listener.add_torrent(k_shared);
    announcer.add_torrent(k_shared);
    ASSERT_TRUE(run_until([&] { return found.size() == 1; }));
    // The next periodic announce is an hour away; on demand it goes out now.
    found.clear();
    announcer.announce_now(k_shared);
    ASSERT_TRUE(run_until([&] { return found.size() == 1; }));
    // A torrent we no longer have is no longer reported.
    found.clear();
    listener.remove_torrent(k_shared);
    announcer.announce_now(k_shared);
    const auto sent = announcer.stats().datagrams_sent;
    ASSERT_TRUE(run_until([&] { return announcer.stats().datagrams_sent > sent; }));
    io_.run_for(200ms);
    EXPECT_TRUE(found.empty());
}

TEST_F(LsdTest, GarbageIsIgnoredAndFloodsAreLimited) {
    Found found;
    auto config = loopback_config(5555);
    config.max_per_source = 3;
    config.source_window = 1h;
    Lsd lsd(io_.get_executor(), config, [&](const SwarmHash& h, const ip::tcp::endpoint& e) {
        found.insert({h, e});
    });
    ASSERT_TRUE(lsd.start().ok());
    lsd.add_torrent(k_shared);

    const ip::udp::endpoint unicast(ip::make_address("127.0.0.1"), k_lsd_port);
    send_raw("", group_);
    send_raw("garbage", group_);
    send_raw(std::string(3000, 'x'), group_);
    send_raw(
        "BT-SEARCH * HTTP/1.1\r\nHost: x\r\nPort: 0\r\nInfohash: " + k_shared.hex() + "\r\n\r\n",
        unicast);
    ASSERT_TRUE(run_until([&] { return lsd.stats().malformed >= 4; }));
    EXPECT_TRUE(found.empty());

    // A well-formed announce reports the sender's address with the announced port; the same
    // source flooding is cut off after max_per_source.
    Announce announce{host_header(k_group_v4, k_lsd_port), 7777, {k_shared}, "someone"};
    for (int i = 0; i < 10; ++i)
        send_raw(encode_announce(announce), group_);
    ASSERT_TRUE(run_until([&] { return lsd.stats().rate_limited >= 7; }));
    EXPECT_EQ(lsd.stats().peers_reported, 3u);
    EXPECT_EQ(found, (Found{{k_shared, {ip::make_address("127.0.0.1"), 7777}}}));
}

TEST_F(LsdTest, StopInsideTheCallbackIsSafe) {
    int calls = 0;
    Lsd* self = nullptr;
    Lsd lsd(io_.get_executor(), loopback_config(6666),
            [&](const SwarmHash&, const ip::tcp::endpoint&) {
                ++calls;
                self->stop();
            });
    self = &lsd;
    ASSERT_TRUE(lsd.start().ok());
    lsd.add_torrent(k_shared);
    Announce announce{host_header(k_group_v4, k_lsd_port), 7777, {k_shared}, "other"};
    send_raw(encode_announce(announce), group_);
    send_raw(encode_announce(announce), group_);
    ASSERT_TRUE(run_until([&] { return calls == 1; }));
    io_.run_for(200ms);
    EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace shoal::lsd
