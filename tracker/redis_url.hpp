#pragma once
// Where the Redis swarm store is: "redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]", "rediss://…"
// for TLS, or "unix:///PATH[?db=N]" for a local socket.

#include <cstdint>
#include <string>
#include <string_view>

#include "util/result.hpp"

namespace shoal::tracker {

struct RedisUrl {
    enum class Kind { tcp, tls, unix_socket };
    Kind kind = Kind::tcp;
    std::string host;  // tcp and tls: a name or an IP literal (without brackets)
    std::uint16_t port = 6379;
    std::string path;  // unix_socket
    std::string username;
    std::string password;
    std::uint32_t database = 0;

    // The URL without its password, for logs and --print-config.
    std::string redacted(std::string_view original) const;
};

// Errors name what is wrong; the text never repeats the password.
Result<RedisUrl> parse_redis_url(std::string_view text);

}  // namespace shoal::tracker
