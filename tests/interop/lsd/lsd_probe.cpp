// Runs one local discovery instance on loopback for the interop test: announces the given
// info-hash with the given port and prints "peer <hash> <address>:<port>" for every peer
// announced for it, until the time is up.
// Usage: lsd_probe <listen-port> <info-hash-hex> <seconds>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <boost/asio/io_context.hpp>

#include "discovery/lsd/lsd.hpp"

int main(int argc, char** argv) {
    using namespace shoal::lsd;
    using shoal::SwarmHash;
    namespace ip = boost::asio::ip;
    if (argc != 4) {
        std::fprintf(stderr, "usage: lsd_probe <listen-port> <info-hash-hex> <seconds>\n");
        return 2;
    }
    const auto hash = SwarmHash::from_hex(argv[2]);
    if (!hash) {
        std::fprintf(stderr, "lsd_probe: not a 40-digit hex info-hash: %s\n", argv[2]);
        return 2;
    }
    LsdConfig config;
    config.interface_v4 = ip::make_address_v4("127.0.0.1");
    config.enable_v6 = false;
    config.listen_port = static_cast<std::uint16_t>(std::atoi(argv[1]));
    // Quick repeats so the test does not wait for the five-minute cycle.
    config.announce_interval = std::chrono::seconds(1);
    config.min_send_interval = std::chrono::milliseconds(200);

    boost::asio::io_context io;
    Lsd lsd(io.get_executor(), config, [](const SwarmHash& h, const ip::tcp::endpoint& e) {
        std::printf("peer %s %s:%u\n", h.hex().c_str(), e.address().to_string().c_str(),
                    static_cast<unsigned>(e.port()));
        std::fflush(stdout);
    });
    auto started = lsd.start();
    if (!started) {
        std::fprintf(stderr, "lsd_probe: %s\n", started.error().message.c_str());
        return 1;
    }
    lsd.add_torrent(*hash);
    io.run_for(std::chrono::seconds(std::atoi(argv[3])));
    std::printf("stats received=%llu own=%llu malformed=%llu sent=%llu\n",
                static_cast<unsigned long long>(lsd.stats().received),
                static_cast<unsigned long long>(lsd.stats().own),
                static_cast<unsigned long long>(lsd.stats().malformed),
                static_cast<unsigned long long>(lsd.stats().datagrams_sent));
    return 0;
}
