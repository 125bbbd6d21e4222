// UDP tracker load generator (BEP 15): connect, then announces (and some scrapes) over many
// torrents and peers, keeping a window of requests in flight; reports responses per second.
//
//   udp_load HOST PORT [--seconds S] [--threads T] [--torrents N] [--window W]
//                      [--scrape-every K] [--fill PEERS_PER_TORRENT]
//   udp_load --print-hashes N     (hex info-hashes, one a line, for allow-lists)
//
// Torrent i has the info-hash: 4 bytes of i (big-endian) then 16 bytes 'a'. --fill sends
// exactly one announce for each (torrent, port 1..PEERS_PER_TORRENT) pair and then stops.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <atomic>
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "tracker_protocol/bep15.hpp"

namespace {


struct Options {
    std::string host = "127.0.0.1";
    int port = 6969;
    double seconds = 10;
    int threads = 1;
    std::uint32_t torrents = 10000;
    int window = 64;
    int scrape_every = 10;  // one request in K is a scrape; 0: none
    std::uint32_t fill = 0;
};

void put(std::uint8_t*& p, std::uint64_t v, int n) {
    for (int i = n - 1; i >= 0; --i)
        *p++ = static_cast<std::uint8_t>(v >> (8 * i));
}
std::uint64_t get(const std::uint8_t* p, int n) {
    std::uint64_t v = 0;
    for (int i = 0; i < n; ++i)
        v = (v << 8) | p[i];
    return v;
}

void info_hash(std::uint32_t i, std::uint8_t* out) {
    out[0] = static_cast<std::uint8_t>(i >> 24);
    out[1] = static_cast<std::uint8_t>(i >> 16);
    out[2] = static_cast<std::uint8_t>(i >> 8);
    out[3] = static_cast<std::uint8_t>(i);
    std::memset(out + 4, 'a', 16);
}

// splitmix64: cheap and good enough to spread torrents and ports.
struct FastRandom {
    std::uint64_t state;
    explicit FastRandom(std::uint64_t seed) : state(seed) {}
    std::uint64_t operator()() {
        std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
};

struct Worker {
    const Options& opt;
    int index;
    std::atomic<bool>& stop;
    std::uint64_t responses = 0;
    std::uint64_t errors = 0;
    int fd = -1;
    std::uint64_t connection_id = 0;
    FastRandom rng;

    Worker(const Options& o, int i, std::atomic<bool>& s) : opt(o), index(i), stop(s), rng(i + 1) {}

    bool open_socket() {
        fd = ::socket(AF_INET, SOCK_DGRAM, 0);
        sockaddr_in addr{};
        addr.sin_family = AF_INET;
        addr.sin_port = htons(static_cast<std::uint16_t>(opt.port));
        if (inet_pton(AF_INET, opt.host.c_str(), &addr.sin_addr) != 1)
            return false;
        int size = 4 << 20;
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
        return ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    }

    bool wait_readable(int ms) {
        pollfd p{fd, POLLIN, 0};
        return ::poll(&p, 1, ms) > 0;
    }

    bool connect_tracker() {
        for (int attempt = 0; attempt < 20; ++attempt) {
            std::uint8_t buf[16];
            std::uint8_t* p = buf;
            put(p, shoal::tracker_protocol::k_udp_protocol_id, 8);
            put(p, 0, 4);
            put(p, 0xC0FFEE, 4);
            ::send(fd, buf, sizeof buf, 0);
            while (wait_readable(200)) {
                std::uint8_t in[64];
                const auto n = ::recv(fd, in, sizeof in, 0);
                if (n >= 16 && get(in, 4) == 0 && get(in + 4, 4) == 0xC0FFEE) {
                    connection_id = get(in + 8, 8);
                    return true;
                }
            }
        }
        return false;
    }

    // Requests are built into `buf` (at least k_request_max bytes) and return their length.
    static constexpr std::size_t k_request_max = 98;

    std::size_t build_announce(std::uint8_t* buf, std::uint32_t torrent, std::uint16_t peer_port,
                               std::uint32_t tx) {
        std::uint8_t* p = buf;
        put(p, connection_id, 8);
        put(p, 1, 4);
        put(p, tx, 4);
        info_hash(torrent, p);
        p += 20;
        std::memcpy(p, "-UL0001-", 8);
        put(p += 8, rng(), 8);
        put(p, rng(), 4);
        put(p, 0, 8);                            // downloaded
        put(p, (rng() % 4 == 0) ? 0 : 1000, 8);  // left: a quarter are seeders
        put(p, 0, 8);                            // uploaded
        put(p, 2, 4);                            // started
        put(p, 0, 4);
        put(p, 0, 4);
        put(p, 50, 4);  // numwant
        put(p, peer_port, 2);
        return static_cast<std::size_t>(p - buf);
    }

    std::size_t build_scrape(std::uint8_t* buf, std::uint32_t tx) {
        std::uint8_t* p = buf;
        put(p, connection_id, 8);
        put(p, 2, 4);
        put(p, tx, 4);
        for (int i = 0; i < 4; ++i, p += 20) {
            info_hash(static_cast<std::uint32_t>(rng() % opt.torrents), p);
        }
        return static_cast<std::size_t>(p - buf);
    }

    std::size_t build_one(std::uint8_t* buf, std::uint64_t seq) {
        const auto tx = static_cast<std::uint32_t>(seq);
        if (opt.scrape_every > 0 && seq % static_cast<std::uint64_t>(opt.scrape_every) == 0)
            return build_scrape(buf, tx);
        return build_announce(buf, static_cast<std::uint32_t>(rng() % opt.torrents),
                              static_cast<std::uint16_t>(1024 + rng() % 60000), tx);
    }

    void send_announce(std::uint32_t torrent, std::uint16_t peer_port, std::uint32_t tx) {
        std::uint8_t buf[k_request_max];
        ::send(fd, buf, build_announce(buf, torrent, peer_port, tx), MSG_DONTWAIT);
    }

    // Sends `count` new requests in one sendmmsg (the generator must cost less per request than
    // the trackers it measures, or it measures itself).
    static constexpr int k_batch = 64;
    void send_batch(int count, std::uint64_t& seq) {
        std::uint8_t bufs[k_batch][k_request_max];
        iovec iov[k_batch];
        mmsghdr msgs[k_batch]{};
        for (int i = 0; i < count; ++i) {
            iov[i] = {bufs[i], build_one(bufs[i], seq++)};
            msgs[i].msg_hdr.msg_iov = &iov[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
        }
        for (int sent = 0; sent < count;) {
            const int n = ::sendmmsg(fd, msgs + sent, static_cast<unsigned>(count - sent), MSG_DONTWAIT);
            if (n <= 0)
                break;  // a full send buffer: those are lost, and the quiet-time refill covers them
            sent += n;
        }
    }

    // Keeps `window` requests in flight, answering each batch of responses with as many new
    // requests; a quiet 50 ms refills the window (lost datagrams).
    void run_load() {
        std::uint64_t seq = 1;
        for (int left = opt.window; left > 0; left -= k_batch)
            send_batch(std::min(left, k_batch), seq);
        static std::uint8_t in[k_batch][2048];
        iovec iov[k_batch];
        mmsghdr msgs[k_batch];
        while (!stop.load(std::memory_order_relaxed)) {
            if (!wait_readable(50)) {
                for (int left = opt.window; left > 0; left -= k_batch)
                    send_batch(std::min(left, k_batch), seq);
                continue;
            }
            for (;;) {
                for (int i = 0; i < k_batch; ++i) {
                    iov[i] = {in[i], sizeof in[i]};
                    msgs[i].msg_hdr = msghdr{};
                    msgs[i].msg_hdr.msg_iov = &iov[i];
                    msgs[i].msg_hdr.msg_iovlen = 1;
                }
                const int n = ::recvmmsg(fd, msgs, k_batch, MSG_DONTWAIT, nullptr);
                if (n <= 0)
                    break;
                for (int i = 0; i < n; ++i) {
                    if (msgs[i].msg_len >= 8 && get(in[i], 4) == 3)
                        ++errors;
                    else
                        ++responses;
                }
                send_batch(n, seq);
            }
        }
    }

    // One announce per (torrent, port) for this thread's share of the torrents.
    void run_fill() {
        std::vector<std::pair<std::uint32_t, std::uint16_t>> pending_announces;
        for (std::uint32_t t = static_cast<std::uint32_t>(index); t < opt.torrents;
             t += static_cast<std::uint32_t>(opt.threads)) {
            for (std::uint32_t port = 1; port <= opt.fill; ++port) {
                pending_announces.emplace_back(t, static_cast<std::uint16_t>(port));
            }
        }
        std::size_t next = 0;
        std::size_t in_flight = 0;
        std::uint8_t in[2048];
        while (next < pending_announces.size() || in_flight > 0) {
            while (next < pending_announces.size() && in_flight < static_cast<std::size_t>(opt.window)) {
                send_announce(pending_announces[next].first, pending_announces[next].second,
                              static_cast<std::uint32_t>(next));
                ++next;
                ++in_flight;
            }
            if (!wait_readable(200)) {
                in_flight = 0;  // lost; the rest of the list goes on
                continue;
            }
            for (;;) {
                const auto n = ::recv(fd, in, sizeof in, MSG_DONTWAIT);
                if (n < 0)
                    break;
                ++responses;
                if (in_flight > 0)
                    --in_flight;
            }
        }
    }
};

int usage() {
    std::fprintf(stderr,
                 "usage: udp_load HOST PORT [--seconds S] [--threads T] [--torrents N] "
                 "[--window W] [--scrape-every K] [--fill PEERS]\n"
                 "       udp_load --print-hashes N\n");
    return 2;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc == 3 && std::string(argv[1]) == "--print-hashes") {
        const auto n = static_cast<std::uint32_t>(std::strtoul(argv[2], nullptr, 10));
        for (std::uint32_t i = 0; i < n; ++i) {
            std::uint8_t h[20];
            info_hash(i, h);
            for (auto b : h)
                std::printf("%02x", b);
            std::printf("\n");
        }
        return 0;
    }
    if (argc < 3)
        return usage();
    Options opt;
    opt.host = argv[1];
    opt.port = std::atoi(argv[2]);
    for (int i = 3; i + 1 < argc; i += 2) {
        const std::string k = argv[i];
        const char* v = argv[i + 1];
        if (k == "--seconds")
            opt.seconds = std::atof(v);
        else if (k == "--threads")
            opt.threads = std::max(1, std::atoi(v));
        else if (k == "--torrents")
            opt.torrents = static_cast<std::uint32_t>(std::atol(v));
        else if (k == "--window")
            opt.window = std::max(1, std::atoi(v));
        else if (k == "--scrape-every")
            opt.scrape_every = std::atoi(v);
        else if (k == "--fill")
            opt.fill = static_cast<std::uint32_t>(std::atol(v));
        else
            return usage();
    }
    std::atomic<bool> stop{false};
    std::vector<std::unique_ptr<Worker>> workers;
    for (int i = 0; i < opt.threads; ++i) {
        workers.push_back(std::make_unique<Worker>(opt, i, stop));
        if (!workers.back()->open_socket() || !workers.back()->connect_tracker()) {
            std::fprintf(stderr, "udp_load: no connect reply from %s:%d\n", opt.host.c_str(),
                         opt.port);
            return 1;
        }
    }
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> threads;
    for (auto& w : workers) {
        threads.emplace_back([&w, &opt] {
            if (opt.fill > 0)
                w->run_fill();
            else
                w->run_load();
        });
    }
    if (opt.fill == 0) {
        std::this_thread::sleep_for(std::chrono::duration<double>(opt.seconds));
        stop = true;
    }
    for (auto& t : threads)
        t.join();
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::uint64_t responses = 0, errors = 0;
    for (auto& w : workers) {
        responses += w->responses;
        errors += w->errors;
    }
    std::printf("responses %llu errors %llu seconds %.2f rate %.0f\n",
                static_cast<unsigned long long>(responses), static_cast<unsigned long long>(errors),
                elapsed, static_cast<double>(responses) / elapsed);
    return 0;
}
