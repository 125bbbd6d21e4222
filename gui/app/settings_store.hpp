#pragma once
// Loads and saves the engine settings, and the daemons connected to, in QSettings.

#include <optional>

#include "engine/engine_types.hpp"

namespace shoal::gui {

EngineSettings load_settings();
void save_settings(const EngineSettings& settings);


// A daemon the client connected to: its RPC address and user name. The password is never
// stored.
struct DaemonConnection {
    QString url;
    QString user;
};

// The connection used last, and the last one used with each host (host:port).
std::optional<DaemonConnection> last_connection();
std::optional<DaemonConnection> connection_for_host(const QString& host_and_port);
void remember_connection(const DaemonConnection& connection);
// "host:port" of an RPC address, the key connections are remembered by.
QString connection_host(const QString& url);

}  // namespace shoal::gui
