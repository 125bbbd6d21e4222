// shoald's HTTP side over real sockets on loopback: the path and method, keep-alive, the
// access checks before the body, 100-continue, the limits on size, time and connections, and
// the web page beside the RPC.
#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <poll.h>

#include <thread>

#include "daemon/rpc_http.hpp"

using namespace shoal::daemon;
using boost::asio::ip::tcp;

namespace {

class DaemonHttp : public ::testing::Test {
protected:
    void start(HttpLimits limits, std::string username = {}, std::string_view whitelist = "127.0.0.1") {
        RpcAccess access;
        access.whitelist = {*parse_address_range(whitelist)};
        access.username = std::move(username);
        access.password = hash_password("pw");
        access.session_id = "the-session-id";
        server_.emplace(io_, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0), access,
                        [this](std::string_view body, std::function<void(std::string)> reply) {
                            ++calls_;
                            std::string answer = "{\"echo\":" + std::string(body) + "}";
                            if (!body.starts_with("\"later")) return reply(std::move(answer));
                            // Answered from a timer, as a fetch would.
                            auto timer = std::make_shared<boost::asio::steady_timer>(io_, std::chrono::milliseconds(100));
                            timer->async_wait([timer, answer, reply](boost::system::error_code) { reply(answer); });
                        },
                        limits);
        port_ = server_->local_endpoint().port();
        thread_ = std::thread([this] { io_.run(); });
    }
    ~DaemonHttp() override {
        if (thread_.joinable()) {
            boost::asio::post(io_, [this] { server_->stop(); });
            io_.stop();
            thread_.join();
        }
    }

    tcp::socket connect() {
        tcp::socket s(client_io_);
        s.connect(tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port_));
        return s;
    }

    // Sends `request` and reads one answer: its status line, headers and body.
    static std::string exchange(tcp::socket& s, const std::string& request) {
        boost::asio::write(s, boost::asio::buffer(request));
        return read_answer(s);
    }

    static std::string read_answer(tcp::socket& s) {
        std::string data;
        boost::system::error_code ec;
        const std::size_t header_end = boost::asio::read_until(s, boost::asio::dynamic_buffer(data), "\r\n\r\n", ec);
        if (ec) return "";
        std::size_t length = 0;
        const auto at = data.find("Content-Length: ");
        if (at != std::string::npos && at < header_end) length = std::stoul(data.substr(at + 16));
        if (data.size() < header_end + length) {
            boost::asio::read(s, boost::asio::dynamic_buffer(data),
                              boost::asio::transfer_exactly(header_end + length - data.size()), ec);
        }
        return data;
    }

    // True when the server closes the connection within 5 s.
    static bool closed(tcp::socket& s) {
        pollfd waiting{s.native_handle(), POLLIN, 0};
        if (::poll(&waiting, 1, 5000) != 1) return false;
        char byte;
        boost::system::error_code ec;
        s.read_some(boost::asio::buffer(&byte, 1), ec);
        return ec == boost::asio::error::eof || ec == boost::asio::error::connection_reset;
    }

    static std::string post(const std::string& body,
                            const std::string& headers = "X-Transmission-Session-Id: the-session-id\r\n") {
        return "POST /transmission/rpc HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers +
               "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    }

    boost::asio::io_context io_;
    boost::asio::io_context client_io_;
    std::optional<RpcServer> server_;
    std::thread thread_;
    std::uint16_t port_ = 0;
    std::atomic<int> calls_{0};
};

TEST_F(DaemonHttp, AnswersAndKeepsTheConnection) {
    start({});
    auto s = connect();
    std::string answer = exchange(s, post("{\"a\":1}"));
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 200")) << answer;
    EXPECT_NE(answer.find("application/json"), std::string::npos);
    EXPECT_TRUE(answer.ends_with("{\"echo\":{\"a\":1}}")) << answer;
    // transmission-remote's path, on the same connection.
    answer = exchange(s, "POST /transmission/rpc/ HTTP/1.1\r\nHost: localhost\r\n"
                         "X-Transmission-Session-Id: the-session-id\r\nContent-Length: 2\r\n\r\n{}");
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 200")) << answer;
    answer = exchange(s, "GET /transmission/rpc HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         "X-Transmission-Session-Id: the-session-id\r\n\r\n");
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 405")) << answer;
    answer = exchange(s, "POST /elsewhere HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                         "X-Transmission-Session-Id: the-session-id\r\nContent-Length: 2\r\n\r\n{}");
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 404")) << answer;
    EXPECT_EQ(calls_, 2);
}

TEST_F(DaemonHttp, RefusesBeforeTheHandler) {
    start({}, "user");
    auto s = connect();
    // The 409 handshake keeps the connection, so the client can send again at once.
    std::string answer = exchange(s, post("{}", "Authorization: Basic dXNlcjpwdw==\r\n"));
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 409")) << answer;
    EXPECT_NE(answer.find("X-Transmission-Session-Id: the-session-id"), std::string::npos) << answer;
    answer = exchange(s, post("{}", "Authorization: Basic dXNlcjpwdw==\r\n"
                                    "X-Transmission-Session-Id: the-session-id\r\n"));
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 200")) << answer;
    answer = exchange(s, post("{}", "X-Transmission-Session-Id: the-session-id\r\n"));
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 401")) << answer;
    EXPECT_NE(answer.find("WWW-Authenticate: Basic"), std::string::npos) << answer;
    answer = exchange(s, "POST /transmission/rpc HTTP/1.1\r\nHost: rebound.example\r\nContent-Length: 2\r\n\r\n{}");
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 421")) << answer;
    EXPECT_EQ(calls_, 1);
}

TEST_F(DaemonHttp, ServesThePageWithoutTheSessionId) {
    start({});
    auto s = connect();
    std::string answer = exchange(s, "GET / HTTP/1.1\r\nHost: 127.0.0.1:9091\r\n\r\n");
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 200")) << answer;
    EXPECT_NE(answer.find("Content-Type: text/html; charset=UTF-8"), std::string::npos) << answer;
    EXPECT_NE(answer.find("Content-Security-Policy: default-src 'self'"), std::string::npos) << answer;
    EXPECT_NE(answer.find("<!doctype html>"), std::string::npos);
    // On the same connection: a script of the page with its query, then the RPC, which still
    // asks for the session id.
    answer = exchange(s, "GET /app.js?v=1 HTTP/1.1\r\nHost: localhost\r\n\r\n");
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 200")) << answer;
    EXPECT_NE(answer.find("Content-Type: text/javascript"), std::string::npos) << answer;
    answer = exchange(s, post("{}", ""));
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 409")) << answer;
    // Paths that are neither the page's nor the RPC's, with or without the session id.
    answer = exchange(s, "GET /favicon.ico HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 404")) << answer;
    answer = exchange(s, "GET /../../etc/passwd HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 404")) << answer;
    answer = exchange(s, "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n\r\n{}");
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 405")) << answer;
    EXPECT_NE(answer.find("Allow: GET"), std::string::npos) << answer;
    EXPECT_EQ(calls_, 0);
}

TEST_F(DaemonHttp, ThePageAsksForCredentialsAndAnAllowedHost) {
    start({}, "user");
    // A refused request without a body closes its connection, so each goes on its own.
    auto s = connect();
    std::string answer = exchange(s, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 401")) << answer;
    EXPECT_NE(answer.find("WWW-Authenticate: Basic"), std::string::npos) << answer;
    EXPECT_EQ(answer.find("<!doctype html>"), std::string::npos);
    auto t = connect();
    answer = exchange(t, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic dXNlcjpwdw==\r\n\r\n");
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 200")) << answer;
    auto u = connect();
    answer = exchange(u, "GET /style.css HTTP/1.1\r\nHost: rebound.example\r\n"
                         "Authorization: Basic dXNlcjpwdw==\r\n\r\n");
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 421")) << answer;
}

TEST_F(DaemonHttp, ThePageOutsideTheWhitelist) {
    start({}, {}, "10.0.0.0/8");
    auto s = connect();
    const std::string answer = exchange(s, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 403")) << answer;
    EXPECT_EQ(answer.find("<!doctype html>"), std::string::npos);
}

TEST_F(DaemonHttp, ExpectContinue) {
    start({});
    auto s = connect();
    const std::string body = "{\"x\":2}";
    boost::asio::write(s, boost::asio::buffer(std::string(
        "POST /transmission/rpc HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Transmission-Session-Id: the-session-id\r\n"
        "Expect: 100-continue\r\nContent-Length: 7\r\n\r\n")));
    std::string interim;
    boost::asio::read_until(s, boost::asio::dynamic_buffer(interim), "\r\n\r\n");
    EXPECT_TRUE(interim.starts_with("HTTP/1.1 100")) << interim;
    std::string answer = exchange(s, body);
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 200")) << answer;

    // Refused: told so at once, the body never asked for.
    auto t = connect();
    answer = exchange(t, "POST /transmission/rpc HTTP/1.1\r\nHost: 127.0.0.1\r\nExpect: 100-continue\r\n"
                         "Content-Length: 7\r\n\r\n");
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 409")) << answer;
    EXPECT_TRUE(closed(t));
}

TEST_F(DaemonHttp, SizeLimits) {
    HttpLimits limits;
    limits.max_body = 1000;
    limits.max_header = 2000;
    start(limits);
    auto s = connect();
    std::string answer = exchange(s, post(std::string(999, ' ') + "1"));
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 200")) << answer;
    answer = exchange(s, "POST /transmission/rpc HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1001\r\n\r\n");
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 413")) << answer;
    EXPECT_TRUE(closed(s));
    auto t = connect();
    answer = exchange(t, "POST /transmission/rpc HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " +
                             std::string(3000, 'p') + "\r\nContent-Length: 2\r\n\r\n{}");
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 431")) << answer;
    EXPECT_TRUE(closed(t));
    EXPECT_EQ(calls_, 1);
}

TEST_F(DaemonHttp, IdleAndSlowConnectionsAreClosed) {
    HttpLimits limits;
    limits.request_timeout = std::chrono::milliseconds(300);
    start(limits);
    const auto begin = std::chrono::steady_clock::now();
    auto idle = connect();
    EXPECT_TRUE(closed(idle));
    // A request that never finishes its headers.
    auto slow = connect();
    boost::asio::write(slow, boost::asio::buffer(std::string("POST /transmission/rpc HTTP/1.1\r\nHost: ")));
    EXPECT_TRUE(closed(slow));
    EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::seconds(5));
}

TEST_F(DaemonHttp, BoundsTheConnections) {
    HttpLimits limits;
    limits.max_connections = 2;
    start(limits);
    auto a = connect();
    auto b = connect();
    EXPECT_TRUE(exchange(a, post("1")).starts_with("HTTP/1.1 200"));
    EXPECT_TRUE(exchange(b, post("2")).starts_with("HTTP/1.1 200"));
    auto c = connect();
    EXPECT_TRUE(closed(c));
    a.close();
    // Room again once one has gone.
    std::string answer;
    for (int i = 0; i < 50 && !answer.starts_with("HTTP/1.1 200"); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        auto d = connect();
        answer = exchange(d, post("4"));
    }
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 200")) << answer;
}

TEST_F(DaemonHttp, AnAnswerGivenLaterComesOnTheSameConnection) {
    start({});
    auto s = connect();
    std::string answer = exchange(s, post("\"later\""));
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 200")) << answer;
    EXPECT_TRUE(answer.ends_with("{\"echo\":\"later\"}")) << answer;
    answer = exchange(s, post("1"));
    EXPECT_TRUE(answer.ends_with("{\"echo\":1}")) << answer;
    // The client gone before the answer: the server carries on.
    {
        auto gone = connect();
        boost::asio::write(gone, boost::asio::buffer(post("\"later\"")));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    auto t = connect();
    answer = exchange(t, post("2"));
    EXPECT_TRUE(answer.ends_with("{\"echo\":2}")) << answer;
}

TEST_F(DaemonHttp, CannotListenTwice) {
    start({});
    boost::asio::io_context other;
    RpcAccess access;
    EXPECT_THROW(RpcServer(other, tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), port_), access,
                           [](std::string_view, std::function<void(std::string)> reply) { reply({}); }),
                 boost::system::system_error);
}

}  // namespace
