// Tracker host names whose DNS server never answers. Inside the private network namespace
// the test takes the address of the resolver named in /etc/resolv.conf onto loopback and
// listens on its port 53 without ever answering, so getaddrinfo waits out its own timeouts
// (seconds per query). Nothing may wait for such a lookup: not an HTTP request past its
// timeout, not an announcer's stop past its stop timeout, not the io_context's destruction.

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include "discovery/tracker/announcer.hpp"
#include "discovery/tracker/tracker_client.hpp"
#include "fake_servers.hpp"

namespace shoal::tracker_client {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using test::run_until_done;

// The first nameserver of /etc/resolv.conf; glibc asks 127.0.0.1 when there is none.
std::string first_nameserver() {
    std::ifstream in("/etc/resolv.conf");
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream words(line);
        std::string key, value;
        if (words >> key >> value && key == "nameserver")
            return value;
    }
    return "127.0.0.1";
}

// A DNS server that reads every query and answers none.
class SilentDns {
  public:
    bool start(std::string& why) {
        const std::string address = first_nameserver();
        const auto ip = asio::ip::make_address(address);
        if (!ip.is_loopback()) {
            const std::string command = "ip addr add " + address + (ip.is_v6() ? "/128" : "/32") +
                                        " dev lo 2>/dev/null";
            (void)std::system(command.c_str());
        }
        fd_ = ::socket(ip.is_v6() ? AF_INET6 : AF_INET, SOCK_DGRAM, 0);
        int bound = -1;
        if (ip.is_v6()) {
            sockaddr_in6 sin6{};
            sin6.sin6_family = AF_INET6;
            sin6.sin6_port = htons(53);
            auto bytes = ip.to_v6().to_bytes();
            std::memcpy(&sin6.sin6_addr, bytes.data(), bytes.size());
            bound = ::bind(fd_, reinterpret_cast<sockaddr*>(&sin6), sizeof sin6);
        } else {
            sockaddr_in sin{};
            sin.sin_family = AF_INET;
            sin.sin_port = htons(53);
            auto bytes = ip.to_v4().to_bytes();
            std::memcpy(&sin.sin_addr, bytes.data(), bytes.size());
            bound = ::bind(fd_, reinterpret_cast<sockaddr*>(&sin), sizeof sin);
        }
        if (fd_ < 0 || bound != 0) {
            why = "cannot listen on " + address + " port 53";
            return false;
        }
        reader_ = std::thread([this] {
            char buffer[2048];
            while (::recv(fd_, buffer, sizeof buffer, 0) > 0)
                ++queries_;
        });
        return true;
    }
    ~SilentDns() {
        if (fd_ >= 0) {
            ::shutdown(fd_, SHUT_RDWR);
            if (reader_.joinable())
                reader_.join();
            ::close(fd_);
        }
    }
    int queries() const { return queries_.load(); }

  private:
    int fd_ = -1;
    std::thread reader_;
    std::atomic<int> queries_{0};
};

class DnsStallTest : public ::testing::Test {
  protected:
    void SetUp() override {
        // Only in the private namespace: elsewhere this would take over the real resolver.
        if (!std::getenv("SHOAL_TRACKER_NETNS"))
            GTEST_SKIP() << "needs the private network namespace (run through ctest)";
        std::string why;
        if (!dns.start(why))
            GTEST_SKIP() << why;
    }

    SilentDns dns;
};

TEST_F(DnsStallTest, HttpTimeoutCoversTheNameLookup) {
    asio::io_context io;
    TrackerClientOptions options;
    options.http.timeout = 300ms;
    TrackerClient client(options);
    AnnounceRequest request;
    request.port = 6881;
    const auto started = Clock::now();
    auto r = run_until_done(io, client.announce("http://tracker.stalls.test/announce", request),
                            60s);
    const auto took = Clock::now() - started;
    EXPECT_GT(dns.queries(), 0);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message,
              "tracker http://tracker.stalls.test/announce: cannot resolve tracker.stalls.test: "
              "timed out");
    EXPECT_LT(took, 2s);
}

TEST_F(DnsStallTest, StopAndTeardownDoNotWaitForALookup) {
    auto io = std::make_unique<asio::io_context>();
    auto client = std::make_unique<TrackerClient>();
    AnnounceIdentity identity;
    identity.port = 6881;
    AnnouncerOptions options;
    options.stop_timeout = 300ms;
    std::vector<TrackerUpdate> updates;
    auto announcer = std::make_unique<Announcer>(
        io->get_executor(), identity,
        std::vector<std::vector<std::string>>{{"udp://tracker.stalls.test:6969/announce"},
                                              {"http://tracker2.stalls.test/announce"}},
        *client, Announcer::TotalsSource{}, [&](const TrackerUpdate& u) { updates.push_back(u); },
        options);
    bool run_done = false;
    asio::co_spawn(*io, announcer->run(), [&](std::exception_ptr) { run_done = true; });
    io->restart();
    const auto give_up = Clock::now() + 10s;
    while (dns.queries() == 0 && Clock::now() < give_up)
        io->run_one_for(20ms);
    ASSERT_GT(dns.queries(), 0) << "no lookup reached the silent DNS server";
    ASSERT_TRUE(announcer->tiers()[0][0].announcing);

    // Both trackers were being told `started`, so both are told `stopped`: two more lookups
    // that never end. stop() may take its timeout and not much more.
    const auto stopping = Clock::now();
    run_until_done(
        *io,
        [&]() -> asio::awaitable<int> {
            co_await announcer->stop();
            co_return 0;
        }(),
        60s);
    EXPECT_LT(Clock::now() - stopping, 2s);
    io->restart();
    while (!run_done && Clock::now() < stopping + 60s)
        io->run_one_for(20ms);
    EXPECT_TRUE(run_done);
    EXPECT_LT(Clock::now() - stopping, 2s);
    for (const auto& u : updates)
        EXPECT_FALSE(u.ok) << u.url;

    // The session's teardown order: the announcer, the tracker client, then the io_context.
    const auto tearing_down = Clock::now();
    announcer.reset();
    client.reset();
    io.reset();
    EXPECT_LT(Clock::now() - tearing_down, 1s);
}

TEST_F(DnsStallTest, TeardownDoesNotWaitForALookup) {
    // As when a session ends with an announce still looking its tracker up.
    auto io = std::make_unique<asio::io_context>();
    auto client = std::make_unique<TrackerClient>();
    AnnounceRequest request;
    request.port = 6881;
    asio::co_spawn(
        *io,
        [&client, request]() -> asio::awaitable<void> {
            auto r = co_await client->announce("udp://tracker3.stalls.test:6969/announce",
                                               request);
            (void)r;
        },
        asio::detached);
    const auto give_up = Clock::now() + 10s;
    while (dns.queries() == 0 && Clock::now() < give_up)
        io->run_one_for(20ms);
    ASSERT_GT(dns.queries(), 0) << "no lookup reached the silent DNS server";
    const auto tearing_down = Clock::now();
    client.reset();
    io.reset();
    EXPECT_LT(Clock::now() - tearing_down, 1s);
}

}  // namespace
}  // namespace shoal::tracker_client
