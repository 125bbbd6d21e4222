#pragma once
// Session-wide settings.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "encryption/encryption_policy.hpp"

namespace shoal {

struct SessionSettings {
    std::string listen_host = "0.0.0.0";  // "::" listens on IPv6 (and IPv4 where the system maps it)
    std::uint16_t listen_port = 6881;      // 0: any free port
    int max_peers_per_torrent = 50;
    int max_connections = 500;  // peers of all torrents together
    std::int64_t upload_limit = 0;    // bytes per second, 0 unlimited
    std::int64_t download_limit = 0;  // bytes per second, 0 unlimited
    unsigned disk_threads = 0;        // 0: one per core
    int unchoke_slots = 4;            // plus one optimistic unchoke
    // Memory for pieces being downloaded or checked, per torrent.
    std::int64_t piece_memory = 64 * 1024 * 1024;
    // Peer sources besides trackers; private torrents use none of them.
    bool enable_pex = true;
    bool enable_dht = true;
    bool enable_lsd = true;
    // uTP (BEP 29) beside TCP, on the same port number: accepted, and dialed first to peers
    // known to speak it. When off, a uTP SYN is answered with a RESET so the peer uses TCP.
    bool enable_utp = true;
    // TCP beside uTP. When off (uTP only, as qBittorrent's "uTP" peer protocol), peers are
    // dialed over uTP only and incoming TCP connections are closed at once; the TCP port
    // stays bound, since its number is the UDP port's too.
    bool enable_tcp = true;
    // Message Stream Encryption, both ways (see encryption/encryption_policy.hpp).
    EncryptionPolicy encryption = EncryptionPolicy::prefer;
    // DHT nodes to join through, "host:port"; empty: the usual public routers.
    std::vector<std::string> dht_bootstrap;
    // Where resume data (and later the DHT's state) is kept; empty keeps nothing.
    std::filesystem::path state_dir;
};

}  // namespace shoal
