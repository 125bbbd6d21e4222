#pragma once
// A private redis-server for one test: on a Unix socket in a temporary folder, no saving,
// stopped (and its folder removed) by the destructor.

#include <csignal>
#include <cstdint>
#include <filesystem>
#include <string>

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

namespace shoal::tracker::test {

class RedisServer {
  public:
    // `tls_port` non-zero: also TLS on 127.0.0.1 at that port with `dir()`/server.pem and
    // server.key, which the test writes before calling start().
    RedisServer(bool start_now = true) {
        char pattern[] = "/tmp/shoal-redis-XXXXXX";
        dir_ = ::mkdtemp(pattern);
        if (start_now)
            start();
    }
    ~RedisServer() {
        stop();
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }
    RedisServer(const RedisServer&) = delete;
    RedisServer& operator=(const RedisServer&) = delete;

    const std::string& dir() const { return dir_; }
    std::string socket_path() const { return dir_ + "/redis.sock"; }
    std::string url() const { return "unix://" + socket_path(); }

    // Starts the server and waits (up to 5 s) until its socket exists.
    void start(std::uint16_t tls_port = 0) {
        std::filesystem::remove(socket_path());
        pid_ = ::fork();
        if (pid_ == 0) {
            const std::string sock = socket_path();
            const std::string port = std::to_string(tls_port);
            const std::string cert = dir_ + "/server.pem", key = dir_ + "/server.key";
            if (tls_port != 0) {
                ::execlp("redis-server", "redis-server", "--port", "0", "--unixsocket",
                         sock.c_str(), "--save", "", "--appendonly", "no", "--dir", dir_.c_str(),
                         "--loglevel", "warning", "--bind", "127.0.0.1", "--tls-port",
                         port.c_str(), "--tls-cert-file", cert.c_str(), "--tls-key-file",
                         key.c_str(), "--tls-auth-clients", "no", static_cast<char*>(nullptr));
            } else {
                ::execlp("redis-server", "redis-server", "--port", "0", "--unixsocket",
                         sock.c_str(), "--save", "", "--appendonly", "no", "--dir", dir_.c_str(),
                         "--loglevel", "warning", static_cast<char*>(nullptr));
            }
            ::_exit(127);
        }
        for (int i = 0; i < 500 && !std::filesystem::exists(socket_path()); ++i)
            ::usleep(10000);
    }
    void stop() {
        if (pid_ <= 0)
            return;
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
        pid_ = -1;
    }
    bool running() const { return pid_ > 0 && std::filesystem::exists(socket_path()); }

  private:
    std::string dir_;
    pid_t pid_ = -1;
};

}  // namespace shoal::tracker::test
