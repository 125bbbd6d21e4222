#pragma once
// Session-wide settings.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <boost/asio/ip/address.hpp>

#include "encryption/encryption_policy.hpp"

namespace shoal {

struct SessionSettings {
    // "": every IPv4 and IPv6 address, on a socket per family (dual stack). "::" listens on
    // IPv6 and IPv4 where the system maps it; any other address on that address alone.
    std::string listen_host;
    std::uint16_t listen_port = 6881;      // 0: any free port
    // A network device (a VPN's, say) that every socket is bound to: peers, the DHT, trackers
    // and local discovery use it alone, and never another route when it goes down. "": any.
    std::string network_interface;
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
    // Asks the router to forward the listen port (UPnP IGD and NAT-PMP), so that peers on the
    // Internet can connect in; trackers and the DHT are then told the external port.
    bool enable_port_mapping = true;
    // Hole punching (BEP 55) over uTP, in torrents that are not private: as a relay between
    // our peers, and to reach a peer behind a NAT through a peer that told us of it.
    bool enable_holepunch = true;
    // Message Stream Encryption, both ways (see encryption/encryption_policy.hpp).
    EncryptionPolicy encryption = EncryptionPolicy::prefer;
    // DHT nodes to join through, "host:port"; empty: the usual public routers.
    std::vector<std::string> dht_bootstrap;
    // Where resume data (and later the DHT's state) is kept; empty keeps nothing.
    std::filesystem::path state_dir;
};

// The addresses to listen on: listen_host, or 0.0.0.0 and :: when it is empty. Empty when
// listen_host is not an IP address.
std::vector<boost::asio::ip::address> listen_addresses(const SessionSettings& settings);

}  // namespace shoal
