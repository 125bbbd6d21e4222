#pragma once
// One kept-alive HTTP/1.1 connection (plain or TLS) to a web seed, for range requests one at
// a time. Redirects are followed (at most 5, never from https to http); a connection to
// another origin replaces the open one. Network thread only; close() ends a request under
// way, whose coroutine then returns an error.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>

#include "http_client/url.hpp"
#include "net/socket_binding.hpp"
#include "util/result.hpp"
#include "web_seed/reply_verdict.hpp"

namespace shoal::web_seed {

struct RangeReply {
    Verdict verdict;
    std::string body;  // the bytes asked for when the verdict is data
};

class SeedConnection {
public:
    static constexpr int k_max_redirects = 5;

    SeedConnection(boost::asio::any_io_executor executor, boost::asio::ssl::context& tls,
                   net::SocketBinding binding);
    SeedConnection(const SeedConnection&) = delete;
    SeedConnection& operator=(const SeedConnection&) = delete;
    ~SeedConnection();

    // Asks `url` for `range` of a file of `file_size` bytes, within `timeout` for each step:
    // connecting, the reply's header, and each read of its body (a slow seed that keeps
    // sending is not cut off). An error is a failure to reach the server or to read its reply; a reply
    // that is not the bytes asked for is a Verdict.
    boost::asio::awaitable<Result<RangeReply>> fetch(std::string url, ByteRange range, std::int64_t file_size,
                                                     std::chrono::milliseconds timeout);
    void close();

private:
    struct Stream;
    // A connection to the URL's origin in stream_.
    boost::asio::awaitable<Result<Done>> open(const http_client::UrlParts& parts, std::chrono::milliseconds timeout);
    boost::asio::awaitable<Result<RangeReply>> fetch_once(const std::string& url, ByteRange range,
                                                          std::int64_t file_size,
                                                          std::chrono::milliseconds timeout, bool& redirect,
                                                          std::string& location);

    boost::asio::any_io_executor executor_;
    boost::asio::ssl::context& tls_;
    net::SocketBinding binding_;
    std::unique_ptr<Stream> stream_;
    bool closed_ = false;
};

}  // namespace shoal::web_seed
