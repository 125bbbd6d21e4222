#include <gtest/gtest.h>

#include "tracker/http_request.hpp"

namespace shoal::tracker {
namespace {

HeadStatus parse(std::string_view text, HttpRequestHead& head) {
    return parse_request_head(text, head).status;
}

TEST(HttpRequestHead, ReadsTheRequestLineAndTheFieldsATrackerUses) {
    const std::string text =
        "GET /announce?info_hash=x HTTP/1.1\r\nHost: t\r\nx-real-ip: 192.0.2.7\r\n"
        "X-Forwarded-For: 198.51.100.1, 192.0.2.9\r\nX-Real-IP: 203.0.113.5\r\n\r\nNEXT";
    HttpRequestHead head;
    ASSERT_EQ(parse(text, head), HeadStatus::complete);
    EXPECT_EQ(head.method, "GET");
    EXPECT_EQ(head.target, "/announce?info_hash=x");
    EXPECT_TRUE(head.http11);
    EXPECT_TRUE(head.keep_alive);
    EXPECT_EQ(head.x_real_ip, "192.0.2.7");  // the first one
    EXPECT_EQ(head.x_forwarded_for, "198.51.100.1, 192.0.2.9");
    EXPECT_EQ(head.size, text.size() - 4);
}

TEST(HttpRequestHead, KnowsWhetherTheConnectionStaysOpen) {
    HttpRequestHead head;
    ASSERT_EQ(parse("GET / HTTP/1.1\r\nConnection: Keep-Alive, CLOSE\r\n\r\n", head),
              HeadStatus::complete);
    EXPECT_FALSE(head.keep_alive);
    ASSERT_EQ(parse("GET / HTTP/1.0\r\n\r\n", head), HeadStatus::complete);
    EXPECT_FALSE(head.http11);
    EXPECT_FALSE(head.keep_alive);
    ASSERT_EQ(parse("GET / HTTP/1.0\nconnection: keep-alive\n\n", head), HeadStatus::complete);
    EXPECT_TRUE(head.keep_alive);
}

TEST(HttpRequestHead, WaitsForTheWholeHead) {
    HttpRequestHead head;
    for (std::string_view partial : {"", "GET", "GET / HTTP/1.1", "GET / HTTP/1.1\r\n",
                                     "GET / HTTP/1.1\r\nHost: x\r\n", "\r\n"}) {
        EXPECT_EQ(parse(partial, head), HeadStatus::incomplete) << partial;
    }
    ASSERT_EQ(parse("\r\nGET / HTTP/1.1\r\n\r\n", head), HeadStatus::complete);
    EXPECT_EQ(head.target, "/");
}

TEST(HttpRequestHead, ReadsContentLength) {
    HttpRequestHead head;
    ASSERT_EQ(parse("POST /x HTTP/1.1\r\nContent-Length: 12\r\ncontent-length: 12\r\n\r\n", head),
              HeadStatus::complete);
    EXPECT_EQ(head.content_length, 12u);
    for (std::string_view bad :
         {"POST / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
          "POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n",
          "POST / HTTP/1.1\r\nContent-Length: 1 2\r\n\r\n",
          "POST / HTTP/1.1\r\nContent-Length: 9999999999999999999\r\n\r\n",
          "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"}) {
        EXPECT_EQ(parse(bad, head), HeadStatus::malformed) << bad;
    }
}

TEST(HttpRequestHead, RefusesWhatIsNotAnHttp1Request) {
    HttpRequestHead head;
    for (std::string_view bad : std::initializer_list<std::string_view>{
             std::string_view("\x16\x03\x01\x00\xa5\r\n\r\n", 9),
             "GET /\r\n\r\n",
             "GET  / HTTP/1.1\r\n\r\n",
             "GET / HTTP/2.0\r\n\r\n",
             "GET / HTTP/1.1 extra\r\n\r\n",
             "G(T / HTTP/1.1\r\n\r\n",
             "GET /a\x01 HTTP/1.1\r\n\r\n",
             "GET / HTTP/1.1\r\n folded: x\r\n\r\n",
             "GET / HTTP/1.1\r\nno colon\r\n\r\n",
             "GET / HTTP/1.1\r\nBad Name: x\r\n\r\n",
             "GET / HTTP/1.1\r\nX: a\x01" "b\r\n\r\n",
             "\r\n\r\n\r\n\r\n\r\n\r\n",
         }) {
        EXPECT_EQ(parse(bad, head), HeadStatus::malformed) << bad;
    }
}

}  // namespace
}  // namespace shoal::tracker
