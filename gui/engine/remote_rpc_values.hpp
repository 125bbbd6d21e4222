#pragma once
// What the remote engine's two halves (remote_engine.cpp asks, remote_engine_answers.cpp reads
// the answers) share about Transmission's RPC values.

#include <QJsonObject>
#include <QJsonValue>

#include <cmath>
#include <cstdint>

namespace shoal::gui::rpc_values {

// Transmission's tr_torrent_activity.
enum RpcStatus { stopped = 0, check_wait = 1, check = 2, download_wait = 3, download = 4, seed_wait = 5, seed = 6 };

// Transmission counts speed limits in kB/s of 1000 bytes (session-get's "speed-bytes").
constexpr std::int64_t k_speed_unit = 1000;

// A number field as an integer; 0 when it is absent, not a number or out of range.
inline std::int64_t as_int(const QJsonObject& o, const char* key) {
    const QJsonValue v = o.value(QLatin1String(key));
    if (!v.isDouble())
        return 0;
    const double d = v.toDouble();
    if (!std::isfinite(d) || d < -9e15 || d > 9e15)
        return 0;
    return static_cast<std::int64_t>(d);
}

}  // namespace shoal::gui::rpc_values
