#pragma once
// What a command of the control layer can fail with: a code a program can branch on (a
// remote-control front-end maps it to its own protocol) and a message a user can act on.

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace shoal::control {

enum class ControlErrc {
    unknown_torrent,     // no torrent has that id (removed, or never added)
    already_added,       // the torrent (same info-hash) is in the list already
    invalid_torrent,     // the .torrent bytes do not parse
    invalid_magnet,      // the magnet link does not parse
    invalid_argument,    // an index, priority, limit or address out of range
    invalid_tracker,     // a tracker URL that is not http, https or udp with a port
    tracker_exists,      // adding a tracker the torrent has already
    tracker_not_found,   // editing or removing a tracker the torrent does not have
    invalid_file_name,   // a rename refused (unsafe name, clash, pad file)
    metadata_missing,    // a magnet link whose files are not known yet
    storage_failed,      // the state folder could not be written
    corrupt_state,       // a state file could not be read back
};

std::string_view to_string(ControlErrc code);

// One line, no trailing period, like shoal::Error.
struct ControlError {
    ControlErrc code;
    std::string message;
};

// A command that succeeded with nothing to return.
struct Done {};

template <class T = Done>
class [[nodiscard]] ControlResult {
public:
    ControlResult(T value) : v_(std::move(value)) {}
    ControlResult(ControlError error) : v_(std::move(error)) {}

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    const T* operator->() const { return &value(); }
    const T& operator*() const& { return value(); }
    const ControlError& error() const { return std::get<1>(v_); }

private:
    std::variant<T, ControlError> v_;
};

inline ControlError control_error(ControlErrc code, std::string message) {
    return ControlError{code, std::move(message)};
}

}  // namespace shoal::control
