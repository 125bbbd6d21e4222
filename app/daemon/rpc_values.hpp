#pragma once
// Reading RPC arguments as Transmission's clients send them.

#include <boost/json.hpp>

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
