#include "tracker_protocol/announce.hpp"

namespace shoal::tracker_protocol {

const char* event_name(AnnounceEvent event) {
    switch (event) {
        case AnnounceEvent::started:
            return "started";
        case AnnounceEvent::completed:
            return "completed";
        case AnnounceEvent::stopped:
            return "stopped";
        case AnnounceEvent::none:
            break;
    }
    return "";
}

}  // namespace shoal::tracker_protocol
