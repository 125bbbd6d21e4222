#include "session/events.hpp"

namespace shoal {

std::string_view to_string(TorrentState state) {
    switch (state) {
        case TorrentState::fetching_metadata: return "fetching metadata";
        case TorrentState::checking: return "checking";
        case TorrentState::downloading: return "downloading";
        case TorrentState::seeding: return "seeding";
        case TorrentState::paused: return "paused";
        case TorrentState::error: return "error";
    }
    return "unknown";
}

}  // namespace shoal
