#include "discovery/tracker/announce_types.hpp"

namespace shoal::tracker_client {

const char* event_name(TrackerEvent event) {
    switch (event) {
        case TrackerEvent::started:
            return "started";
        case TrackerEvent::completed:
            return "completed";
        case TrackerEvent::stopped:
            return "stopped";
        case TrackerEvent::none:
            break;
    }
    return "";
}

}  // namespace shoal::tracker_client
