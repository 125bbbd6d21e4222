#pragma once
// What happened, as shoald's log lines. Of what the control layer publishes: the session's
// errors and state that could not be saved at error; a torrent added, complete, removed or at
// its seed limit at info; routine events (state changes, trackers, hash failures, notices) at
// debug. Of the RPC: refused requests.

#include <cstdint>
#include <map>
#include <string>

#include "control/torrent_control.hpp"
#include "daemon/log.hpp"
#include "daemon/rpc_access.hpp"

namespace shoal::daemon {

class EventLog {
public:
    explicit EventLog(const Log& log) : log_(log) {}

    void report(const control::Published& published, const control::TorrentControl& control);

private:
    // "NAME: " for a torrent's message; nothing for the session's (id 0).
    std::string about(TorrentId id, const control::TorrentControl& control) const;

    const Log& log_;
    // The names of torrents the control layer no longer lists (Published::removed, and a
    // magnet link's metadata fetched without adding it) until their TorrentRemoved; the
    // others' names are the control layer's.
    std::map<std::uint32_t, std::string> names_;
};

// A refused RPC request, with the client's address: a warning, but debug for a missing or stale
// session id (how every client's first request goes).
void log_refusal(const Log& log, const Refusal& refusal, const boost::asio::ip::address& client);

}  // namespace shoal::daemon
