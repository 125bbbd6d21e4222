#pragma once
// A private redis-server for one test: on a Unix socket in a temporary folder, no saving,
// stopped (and its folder removed) by the destructor.

#include <csignal>
#include <filesystem>
#include <string>

#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

namespace shoal::tracker::test {

class RedisServer {
  public:
    RedisServer() {
        char pattern[] = "/tmp/shoal-redis-XXXXXX";
        dir_ = ::mkdtemp(pattern);
        start();
    }
    ~RedisServer() {
        stop();
        std::error_code ignored;
        std::filesystem::remove_all(dir_, ignored);
    }
    RedisServer(const RedisServer&) = delete;
    RedisServer& operator=(const RedisServer&) = delete;

    std::string socket_path() const { return dir_ + "/redis.sock"; }
    std::string url() const { return "unix://" + socket_path(); }

    // Starts the server and waits (up to 5 s) until its socket exists.
    void start() {
        std::filesystem::remove(socket_path());
        pid_ = ::fork();
        if (pid_ == 0) {
            const std::string sock = socket_path();
            ::execlp("redis-server", "redis-server", "--port", "0", "--unixsocket", sock.c_str(),
                     "--save", "", "--appendonly", "no", "--dir", dir_.c_str(), "--loglevel",
                     "warning", static_cast<char*>(nullptr));
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
