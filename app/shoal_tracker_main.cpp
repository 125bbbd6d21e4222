// shoal-tracker: an HTTP and UDP BitTorrent tracker configured by one TOML file.

#include <CLI/CLI.hpp>

#include <cstdio>
#include <iostream>

#include "tracker/config.hpp"
#include "tracker/log.hpp"
#include "tracker/server.hpp"

namespace tr = shoal::tracker;

int main(int argc, char** argv) {
    CLI::App app{"shoal-tracker: HTTP and UDP BitTorrent tracker"};
    std::string config_file;
    std::optional<std::string> http, udp;
    std::optional<std::uint32_t> threads;
    bool print = false;
    app.add_option("--config", config_file, "TOML configuration file");
    app.add_option("--http", http, "HTTP listen HOST:PORT; \"\" or off disables");
    app.add_option("--udp", udp, "UDP listen HOST:PORT; \"\" or off disables");
    app.add_option("--threads", threads, "network threads (0: one per core)");
    app.add_flag("--print-config", print, "print every setting with its value as TOML and exit");
    CLI11_PARSE(app, argc, argv);

    tr::Config config;
    if (!config_file.empty()) {
        auto loaded = tr::load_config_file(config_file);
        if (!loaded) {
            std::fprintf(stderr, "shoal-tracker: %s\n", loaded.error().message.c_str());
            return 2;
        }
        config = std::move(*loaded);
    }
    if (http)
        config.http = *http;
    if (udp)
        config.udp = *udp;
    if (threads)
        config.threads = *threads;
    auto valid = tr::validate_config(std::move(config));
    if (!valid) {
        std::fprintf(stderr, "shoal-tracker: %s\n", valid.error().message.c_str());
        return 2;
    }
    if (print) {
        std::cout << tr::print_config(*valid);
        return 0;
    }

    auto server = tr::Server::create(*valid);
    if (!server) {
        std::fprintf(stderr, "shoal-tracker: %s\n", server.error().message.c_str());
        return server.error().code == shoal::ErrorCode::invalid_input ? 2 : 1;
    }
    // Machine-readable lines so scripts and tests find ephemeral ports.
    if (!(*server)->http_address().empty()) {
        std::printf("listening http %s\n", (*server)->http_address().c_str());
    }
    if (!(*server)->udp_address().empty()) {
        std::printf("listening udp %s\n", (*server)->udp_address().c_str());
    }
    std::fflush(stdout);
    return (*server)->run();
}
