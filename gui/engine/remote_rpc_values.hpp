#pragma once
// What the remote engine's two halves (remote_engine.cpp asks, remote_engine_answers.cpp reads
// the answers) share about Transmission's RPC values.

#include <QJsonObject>
#include <QJsonValue>

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace shoal::gui::rpc_values {

// Transmission's tr_torrent_activity.
enum RpcStatus { stopped = 0, check_wait = 1, check = 2, download_wait = 3, download = 4, seed_wait = 5, seed = 6 };

// Transmission counts speed limits in kB/s of 1000 bytes (session-get's "speed-bytes").
constexpr std::int64_t k_speed_unit = 1000;

// A limit in bytes per second as the RPC's whole kB/s: the nearest, so that a limit set in whole
// KiB/s and read back in kB/s shows the same KiB/s again (rounding down lost up to 999 bytes,
// which made 147 KiB/s come back as 146); at least 1, since 0 would be no limit.
inline std::int64_t rpc_speed(std::int64_t bytes_per_second) {
    return std::max<std::int64_t>(1, (bytes_per_second + k_speed_unit / 2) / k_speed_unit);
}

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
