#pragma once
// The tracker's settings: one TOML file, every key with a default, unknown keys refused.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.hpp"

namespace shoal::tracker {

struct Config {
    // [listen]
    std::string http = "0.0.0.0:6969";  // "" or "off" disables
    std::string udp = "0.0.0.0:6969";
    std::uint32_t threads = 0;  // 0: one per core

    // [announce]
    std::uint32_t interval = 1800;
    std::uint32_t interval_jitter = 180;  // each reply adds 0..jitter seconds
    std::uint32_t min_interval = 900;
    std::uint32_t peer_timeout = 2400;  // must exceed interval + jitter
    std::uint32_t numwant_default = 50;
    std::uint32_t numwant_max = 200;
    bool accept_ip_param = false;

    // [http]
    std::uint32_t max_connections = 4096;
    std::uint32_t max_header_bytes = 8192;
    std::uint32_t max_body_bytes = 1024;
    std::uint32_t request_timeout = 10;
    std::uint32_t max_scrape_hashes = 64;
    bool full_scrape = false;
    bool metrics = true;  // serve /metrics and /stats
    std::vector<std::string> trusted_proxies;

    // [udp]
    std::uint32_t key_rotation = 600;  // seconds between connection-id key changes
    // Keys derived from this file's secret, the same in every instance that reads it.
    std::string secret_file;

    // [access]
    std::string mode = "off";  // off, allow, deny
    std::string list_file;
    bool private_mode = false;  // key `private`
    std::string keys_file;

    // [store]
    std::uint32_t shards = 64;
    std::string url;  // Redis; empty keeps the swarms in this process's memory
    std::string prefix = "shoal:";
    std::uint32_t max_pending = 1024;  // per thread
    std::uint32_t timeout_ms = 2000;

    // [log]
    bool log_requests = false;  // key `requests`
};

// Reads TOML text over `base`; errors name the key or the line.
Result<Config> parse_config(std::string_view toml_text, Config base = {});
Result<Config> load_config_file(const std::string& path, Config base = {});
// Checks values that depend on each other; run after flags are applied.
Result<Config> validate_config(Config config);
// Every key with its value, as TOML a user can edit.
std::string print_config(const Config& config);

}  // namespace shoal::tracker
