#include <gtest/gtest.h>

#include <boost/asio/local/stream_protocol.hpp>

#include <hiredis/hiredis.h>

#include <cstdlib>
#include <filesystem>
#include <optional>

#include "redis_server.hpp"
#include "redis_test_util.hpp"
#include "tracker/redis_connection.hpp"

namespace shoal::tracker {
namespace {

using test::run_until;
using namespace std::chrono_literals;

class RedisConnectionTest : public ::testing::Test {
  protected:
    std::unique_ptr<RedisConnection> connect(const std::string& url, std::size_t max_pending = 64,
                                             std::chrono::milliseconds timeout = 2000ms) {
        RedisOptions options;
        options.url = *parse_redis_url(url);
        options.max_pending = max_pending;
        options.timeout = timeout;
        auto c = std::make_unique<RedisConnection>(
            ioc.get_executor(), std::move(options), [this](bool u, const std::string& reason) {
                up = u;
                ++changes;
                last_reason = reason;
            });
        c->start();
        return c;
    }

    // Sends `args`; the reply's text, "(integer N)", "(failed)" when the connection failed first,
    // or nullopt when the command was not queued.
    std::optional<std::string> ask(RedisConnection& c, std::vector<std::string_view> args,
                                   RedisConnection::Submit* submit = nullptr) {
        std::optional<std::string> answer;
        const auto s = c.command(args, [&](const redisReply* r) {
            if (r == nullptr)
                answer = "(failed)";
            else if (r->type == REDIS_REPLY_INTEGER)
                answer = "(integer " + std::to_string(r->integer) + ")";
            else
                answer = std::string(r->str, r->len);
        });
        if (submit != nullptr)
            *submit = s;
        if (s != RedisConnection::Submit::queued)
            return std::nullopt;
        run_until(ioc, [&] { return answer.has_value(); }, 8000ms);
        return answer;
    }

    boost::asio::io_context ioc;
    bool up = false;
    int changes = 0;
    std::string last_reason;
};

TEST_F(RedisConnectionTest, WaitsForAServerThatIsNotThereYet) {
    test::RedisServer server;
    server.stop();
    auto c = connect(server.url());
    ASSERT_TRUE(run_until(ioc, [&] { return changes > 0; }));
    EXPECT_FALSE(up);
    EXPECT_NE(last_reason.find("cannot connect"), std::string::npos) << last_reason;
    RedisConnection::Submit submit{};
    EXPECT_FALSE(ask(*c, {"PING"}, &submit));
    EXPECT_EQ(submit, RedisConnection::Submit::unavailable);
    server.start();
    ASSERT_TRUE(run_until(ioc, [&] { return up; }, 5000ms));
    EXPECT_EQ(ask(*c, {"PING"}), "PONG");
}

TEST_F(RedisConnectionTest, PendingCommandsFailWhenTheServerDiesAndItReconnects) {
    test::RedisServer server;
    auto c = connect(server.url());
    ASSERT_TRUE(run_until(ioc, [&] { return up; }));
    EXPECT_EQ(ask(*c, {"SET", "k", "v"}), "OK");
    // BLPOP waits for the server's answer, which never comes before the server is killed.
    std::optional<bool> failed;
    const std::string_view blpop[] = {"BLPOP", "nothing", "0"};
    c->command(blpop, [&](const redisReply* r) { failed = r == nullptr; });
    ioc.run_for(100ms);
    server.stop();
    ASSERT_TRUE(run_until(ioc, [&] { return failed.has_value(); }));
    EXPECT_TRUE(*failed);
    EXPECT_FALSE(up);
    server.start();
    ASSERT_TRUE(run_until(ioc, [&] { return up; }, 5000ms));
    EXPECT_EQ(ask(*c, {"PING"}), "PONG");
}

TEST_F(RedisConnectionTest, RefusesCommandsBeyondItsLimit) {
    test::RedisServer server;
    auto c = connect(server.url(), 2);
    ASSERT_TRUE(run_until(ioc, [&] { return up; }));
    int answered = 0;
    const std::string_view ping[] = {"PING"};
    auto count = [&](const redisReply* r) { answered += r != nullptr; };
    EXPECT_EQ(c->command(ping, count), RedisConnection::Submit::queued);
    EXPECT_EQ(c->command(ping, count), RedisConnection::Submit::queued);
    EXPECT_EQ(c->command(ping, count), RedisConnection::Submit::busy);
    ASSERT_TRUE(run_until(ioc, [&] { return answered == 2; }));
    EXPECT_EQ(c->command(ping, count), RedisConnection::Submit::queued);
}

TEST_F(RedisConnectionTest, AServerThatStopsAnsweringIsLeftAndFoundAgain) {
    test::RedisServer server;
    auto c = connect(server.url(), 64, 300ms);
    ASSERT_TRUE(run_until(ioc, [&] { return up; }));
    // Another client pauses every client for 1.5 s: our PING goes unanswered past the timeout.
    auto other = connect(server.url());
    ASSERT_TRUE(run_until(ioc, [&] { return other->up(); }));
    ASSERT_EQ(ask(*other, {"CLIENT", "PAUSE", "1500", "ALL"}), "OK");
    // Failed, not answered once the pause ends: the 300 ms timeout gave up on it.
    EXPECT_EQ(ask(*c, {"PING"}), "(failed)");
    EXPECT_NE(last_reason.find("no answer within 300 ms"), std::string::npos) << last_reason;
    ASSERT_TRUE(run_until(ioc, [&] { return c->up(); }, 6000ms));
    EXPECT_EQ(ask(*c, {"PING"}), "PONG");
}

TEST_F(RedisConnectionTest, NonsenseFromTheServerDropsTheConnection) {
    char pattern[] = "/tmp/shoal-fake-redis-XXXXXX";
    const std::string dir = ::mkdtemp(pattern);
    const std::string path = dir + "/fake.sock";
    using local = boost::asio::local::stream_protocol;
    local::acceptor acceptor(ioc, local::endpoint(path));
    local::socket peer(ioc);
    std::array<char, 256> buffer{};
    int accepted = 0;
    std::function<void()> serve = [&] {
        acceptor.async_accept(peer, [&](const boost::system::error_code& ec) {
            if (ec)
                return;
            ++accepted;
            peer.async_read_some(boost::asio::buffer(buffer),
                                 [&](const boost::system::error_code& e, std::size_t) {
                                     if (e)
                                         return;
                                     // Not RESP at all.
                                     boost::asio::write(peer, boost::asio::buffer("?nonsense\r\n", 11));
                                 });
        });
    };
    serve();
    auto c = connect("unix://" + path);
    ASSERT_TRUE(run_until(ioc, [&] { return changes > 0; }));
    EXPECT_FALSE(up);
    EXPECT_NE(last_reason.find("malformed reply"), std::string::npos) << last_reason;
    c->stop();
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
}

TEST_F(RedisConnectionTest, RedisUrlsAreReadWithTheirParts) {
    auto a = parse_redis_url("redis://user:p%40ss@example.net:6380/3");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->kind, RedisUrl::Kind::tcp);
    EXPECT_EQ(a->host, "example.net");
    EXPECT_EQ(a->port, 6380);
    EXPECT_EQ(a->username, "user");
    EXPECT_EQ(a->password, "p@ss");
    EXPECT_EQ(a->database, 3u);
    EXPECT_EQ(a->redacted("redis://user:p%40ss@example.net:6380/3"),
              "redis://user:***@example.net:6380/3");
    // '+' is itself in a URL's user part; a raw '@' there ends at the last one.
    auto plus = parse_redis_url("redis://u:a+b%2B@h");
    ASSERT_TRUE(plus);
    EXPECT_EQ(plus->password, "a+b+");
    const std::string raw = "redis://u:p@ss@h:1/2";
    auto at = parse_redis_url(raw);
    ASSERT_TRUE(at);
    EXPECT_EQ(at->password, "p@ss");
    EXPECT_EQ(at->redacted(raw), "redis://u:***@h:1/2");
    auto b = parse_redis_url("rediss://[2001:db8::1]");
    ASSERT_TRUE(b);
    EXPECT_EQ(b->kind, RedisUrl::Kind::tls);
    EXPECT_EQ(b->host, "2001:db8::1");
    EXPECT_EQ(b->port, 6379);
    auto u = parse_redis_url("unix:///run/redis/redis.sock?db=2");
    ASSERT_TRUE(u);
    EXPECT_EQ(u->path, "/run/redis/redis.sock");
    EXPECT_EQ(u->database, 2u);
    for (const char* bad : {"http://x", "redis://", "redis://h:0", "redis://h:70000",
                            "redis://h/x", "unix://relative", "unix:///s?db=x",
                            "redis://u:%zz@h", "redis://[::1"}) {
        EXPECT_FALSE(parse_redis_url(bad)) << bad;
    }
}

// Runs `commands` (openssl invocations) in `dir`.
bool run_in(const std::string& dir, const std::string& commands) {
    return std::system(("cd '" + dir + "' && " + commands).c_str()) == 0;
}

// A CA NAME.pem/NAME.key in `dir`.
bool make_ca(const std::string& dir, const std::string& name) {
    return run_in(dir, "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=" + name +
                           " -keyout " + name + ".key -out " + name + ".pem 2>/dev/null");
}

// server.pem/server.key in `dir` for "localhost", signed by the CA `ca` there.
bool make_server_certificate(const std::string& dir, const std::string& ca) {
    return run_in(dir,
                  "openssl req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout server.key "
                  "-out server.csr 2>/dev/null && printf 'subjectAltName=DNS:localhost\\n' > "
                  "san.ext && openssl x509 -req -in server.csr -CA " + ca + ".pem -CAkey " + ca +
                      ".key -CAcreateserial -days 2 -extfile san.ext -out server.pem 2>/dev/null");
}

std::uint16_t free_tcp_port(boost::asio::io_context& ioc) {
    boost::asio::ip::tcp::acceptor a(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
    return a.local_endpoint().port();
}

TEST_F(RedisConnectionTest, SpeaksTlsToAServerWithATrustedCertificateOnly) {
    test::RedisServer server(false);
    ASSERT_TRUE(make_ca(server.dir(), "trusted"));
    ASSERT_TRUE(make_ca(server.dir(), "other"));
    ASSERT_TRUE(make_server_certificate(server.dir(), "trusted"));
    const std::uint16_t port = free_tcp_port(ioc);
    server.start(port);
    ASSERT_TRUE(run_until(ioc, [&] { return server.running(); }));
    const std::string url = "rediss://localhost:" + std::to_string(port);

    // Trusted through SSL_CERT_FILE, which OpenSSL's default verify paths read.
    ::setenv("SSL_CERT_FILE", (server.dir() + "/trusted.pem").c_str(), 1);
    auto c = connect(url);
    ASSERT_TRUE(run_until(ioc, [&] { return up; }, 8000ms)) << last_reason;
    EXPECT_EQ(ask(*c, {"PING"}), "PONG");
    c->stop();

    // Another CA: the handshake fails, and the connection stays down.
    ::setenv("SSL_CERT_FILE", (server.dir() + "/other.pem").c_str(), 1);
    changes = 0;
    up = false;
    auto refused = connect(url);
    ASSERT_TRUE(run_until(ioc, [&] { return changes > 0; }, 8000ms));
    EXPECT_FALSE(up);
    EXPECT_NE(last_reason.find("cannot connect"), std::string::npos) << last_reason;
    refused->stop();
    ::unsetenv("SSL_CERT_FILE");
}

}  // namespace
}  // namespace shoal::tracker
