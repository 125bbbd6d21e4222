// The HTTP client's GET beyond what trackers need: extra request headers, and redirects to
// places it does not follow.

#include <gtest/gtest.h>

#include "fake_servers.hpp"
#include "http_client/http_get.hpp"

namespace shoal::http_client {
namespace {

using namespace std::chrono_literals;
using test::FakeHttpServer;
using test::run_until_done;

class HttpGetTest : public ::testing::Test {
  protected:
    Result<Reply> fetch(const std::string& url, GetOptions options = {}) {
        options.timeout = 2s;
        return run_until_done(io, get(tls, url, "fetching " + url, options));
    }
    boost::asio::io_context io;
    boost::asio::ssl::context tls = make_tls_client_context();
};

TEST_F(HttpGetTest, SendsTheHeadersAskedFor) {
    FakeHttpServer server(io, [](const std::string&) { return test::reply(200, "body"); });
    GetOptions options;
    options.headers = {{"Cookie", "uid=1; pass=abc"}};
    auto reply = fetch(server.url("/file.torrent"), options);
    ASSERT_TRUE(reply) << reply.error().message;
    EXPECT_EQ(reply->status, 200u);
    EXPECT_EQ(reply->body, "body");
    ASSERT_EQ(server.cookies.size(), 1u);
    EXPECT_EQ(server.cookies[0], "uid=1; pass=abc");
}

TEST_F(HttpGetTest, RefusesAHeaderThatIsNotOneLine) {
    FakeHttpServer server(io, [](const std::string&) { return test::reply(200, "body"); });
    GetOptions options;
    options.headers = {{"Cookie", "a=1\r\nX-Injected: yes"}};
    auto reply = fetch(server.url("/file.torrent"), options);
    ASSERT_FALSE(reply);
    EXPECT_EQ(reply.error().code, ErrorCode::invalid_input);
    EXPECT_EQ(reply.error().message, "fetching " + server.url("/file.torrent") + ": a request header is not one line");
    EXPECT_TRUE(server.targets.empty());
}

TEST_F(HttpGetTest, ARedirectToAnotherSchemeIsTheReply) {
    const std::string magnet = "magnet:?xt=urn:btih:0123456789abcdef0123456789abcdef01234567";
    FakeHttpServer server(io, [&](const std::string& target) {
        if (target == "/moved") return test::redirect(302, "/download");
        return test::redirect(301, magnet);
    });
    auto reply = fetch(server.url("/moved"));
    ASSERT_TRUE(reply) << reply.error().message;
    EXPECT_EQ(reply->status, 301u);
    EXPECT_EQ(reply->location, magnet);
    EXPECT_EQ(server.targets, (std::vector<std::string>{"/moved", "/download"}));
}

TEST_F(HttpGetTest, ARedirectWithoutALocationIsAnError) {
    FakeHttpServer server(io, [](const std::string&) { return test::redirect(302, ""); });
    auto reply = fetch(server.url("/x"));
    ASSERT_FALSE(reply);
    EXPECT_EQ(reply.error().message, "fetching " + server.url("/x") + ": redirected without a location");
}

TEST_F(HttpGetTest, RefusesSchemesItCannotFetch) {
    auto reply = fetch("ftp://127.0.0.1/file.torrent");
    ASSERT_FALSE(reply);
    EXPECT_EQ(reply.error().message,
              "fetching ftp://127.0.0.1/file.torrent: unsupported scheme \"ftp\"");
}

}  // namespace
}  // namespace shoal::http_client
