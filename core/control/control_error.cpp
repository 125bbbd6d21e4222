#include "control/control_error.hpp"

namespace shoal::control {

std::string_view to_string(ControlErrc code) {
    switch (code) {
        case ControlErrc::unknown_torrent: return "unknown torrent";
        case ControlErrc::already_added: return "already added";
        case ControlErrc::invalid_torrent: return "invalid torrent";
        case ControlErrc::invalid_magnet: return "invalid magnet link";
        case ControlErrc::invalid_argument: return "invalid argument";
        case ControlErrc::invalid_tracker: return "invalid tracker";
        case ControlErrc::tracker_exists: return "tracker exists";
        case ControlErrc::tracker_not_found: return "tracker not found";
        case ControlErrc::invalid_file_name: return "invalid file name";
        case ControlErrc::metadata_missing: return "metadata missing";
        case ControlErrc::storage_failed: return "storage failed";
        case ControlErrc::corrupt_state: return "corrupt state";
    }
    return "unknown error";
}

}  // namespace shoal::control
