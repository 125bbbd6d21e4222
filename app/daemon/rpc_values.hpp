#pragma once
// Reading RPC arguments as Transmission's clients send them.

#include <boost/json.hpp>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>

#include "control/labels.hpp"
#include "control/torrent_control.hpp"
#include "util/result.hpp"

namespace shoal::daemon {

// A whole number, whether sent as an integer or as a double without a fraction.
inline std::optional<std::int64_t> as_integer(const boost::json::value& v) {
    if (v.is_int64()) return v.get_int64();
    if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
        return static_cast<std::int64_t>(v.get_uint64());
    if (v.is_double() && v.get_double() >= -9.0e18 && v.get_double() <= 9.0e18 &&
        v.get_double() == static_cast<double>(static_cast<std::int64_t>(v.get_double())))
        return static_cast<std::int64_t>(v.get_double());
    return std::nullopt;
}

inline std::optional<double> as_number(const boost::json::value& v) {
    if (v.is_double()) return v.get_double();
    if (auto n = as_integer(v)) return static_cast<double>(*n);
    return std::nullopt;
}

// Booleans as Transmission takes them: true/false, or a number (0 is false).
inline std::optional<bool> as_flag(const boost::json::value& v) {
    if (v.is_bool()) return v.get_bool();
    if (auto n = as_integer(v)) return *n != 0;
    return std::nullopt;
}

// Speeds: Transmission's RPC says them in kB/s of 1,000 bytes (session-get's `units`), as whole
// numbers; shoald keeps every limit in bytes per second, as the config file, shoal-cli and the
// control layer give them.
inline constexpr std::int64_t k_rpc_speed_unit = 1000;
inline constexpr std::int64_t k_max_rpc_speed = 100'000'000;  // kB/s

// A limit in bytes per second as the RPC reports it: whole kB/s rounded down, as Transmission's
// fields are integers, but never 0 for a limit that is not 0 (a limit under 1 kB/s is said as
// 1), since a client would read 0 as "stopped" or as no limit at all. The limit that runs
// keeps its bytes; only what is reported is rounded.
inline std::int64_t rpc_kilobytes(std::int64_t bytes_per_second) {
    if (bytes_per_second <= 0) return 0;
    return std::max<std::int64_t>(1, bytes_per_second / k_rpc_speed_unit);
}

// A limit the RPC sent in kB/s, in bytes per second, for a limit that is `current` now: the
// value rpc_kilobytes() reports for `current` leaves it as it is (a client that sends a form back
// whole changes no limit, and one set to the byte stays so); any other is that many kB/s.
inline std::int64_t bytes_from_rpc(std::int64_t kilobytes, std::int64_t current) {
    return kilobytes == rpc_kilobytes(current) ? current : kilobytes * k_rpc_speed_unit;
}

// `labels`: a list of strings, checked further by the control layer.
inline Result<control::Labels> as_labels(const boost::json::value& v) {
    if (!v.is_array()) return make_error("'labels' is not a list");
    // Repeats are dropped later; more than this is not a list of labels.
    if (v.get_array().size() > 16 * control::k_max_labels) return make_error("'labels' is too long a list");
    control::Labels labels;
    for (const auto& label : v.get_array()) {
        if (!label.is_string()) return make_error("'labels' holds something that is not a string");
        labels.emplace_back(label.get_string());
    }
    return labels;
}

// A torrent's peer-limit (torrent-add, torrent-set): 0 keeps the session's.
inline Result<int> as_peer_limit(const boost::json::value& v) {
    auto peers = as_integer(v);
    if (!peers || *peers < 0 || *peers > control::k_max_peer_limit) {
        return make_error("'peer-limit' is not a number from 0 to " + std::to_string(control::k_max_peer_limit));
    }
    return static_cast<int>(*peers);
}

}  // namespace shoal::daemon
