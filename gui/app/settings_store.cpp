#include "app/settings_store.hpp"

#include <QSettings>
#include <QStandardPaths>
#include <QUrl>

#include <algorithm>

namespace shoal::gui {

EngineSettings load_settings() {
    QSettings q;
    EngineSettings s;
    q.beginGroup(QStringLiteral("engine"));
    s.listen_port = q.value("listen_port", s.listen_port).toInt();
    s.down_limit = q.value("down_limit", qlonglong(s.down_limit)).toLongLong();
    s.up_limit = q.value("up_limit", qlonglong(s.up_limit)).toLongLong();
    s.alt_down_limit = q.value("alt_down_limit", qlonglong(s.alt_down_limit)).toLongLong();
    s.alt_up_limit = q.value("alt_up_limit", qlonglong(s.alt_up_limit)).toLongLong();
    s.use_alt_limits = q.value("use_alt_limits", s.use_alt_limits).toBool();
    s.max_connections = q.value("max_connections", s.max_connections).toInt();
    s.max_peers_per_torrent = q.value("max_peers_per_torrent", s.max_peers_per_torrent).toInt();
    s.dht = q.value("dht", s.dht).toBool();
    s.pex = q.value("pex", s.pex).toBool();
    s.lsd = q.value("lsd", s.lsd).toBool();
    s.utp = q.value("utp", s.utp).toBool();
    s.tcp = q.value("tcp", s.tcp).toBool();
    s.encryption = q.value("encryption", s.encryption).toString();
    s.default_save_dir = q.value("default_save_dir",
                                 QStandardPaths::writableLocation(QStandardPaths::DownloadLocation))
                             .toString();
    s.on_completion =
        static_cast<CompletionAction>(q.value("on_completion", int(s.on_completion)).toInt());
    // A negative or unreadable stored limit (a hand-edited file) reads as no limit.
    s.seed_ratio_limit = std::max(0.0, q.value("seed_ratio_limit", s.seed_ratio_limit).toDouble());
    s.seed_time_limit_minutes =
        std::max(0, q.value("seed_time_limit_minutes", s.seed_time_limit_minutes).toInt());
    s.port_mapping = q.value("port_mapping", s.port_mapping).toBool();
    s.network_interface = q.value("interface", s.network_interface).toString().trimmed();
    return s;
}

void save_settings(const EngineSettings& s) {
    QSettings q;
    q.beginGroup(QStringLiteral("engine"));
    q.setValue("listen_port", s.listen_port);
    q.setValue("down_limit", qlonglong(s.down_limit));
    q.setValue("up_limit", qlonglong(s.up_limit));
    q.setValue("alt_down_limit", qlonglong(s.alt_down_limit));
    q.setValue("alt_up_limit", qlonglong(s.alt_up_limit));
    q.setValue("use_alt_limits", s.use_alt_limits);
    q.setValue("max_connections", s.max_connections);
    q.setValue("max_peers_per_torrent", s.max_peers_per_torrent);
    q.setValue("dht", s.dht);
    q.setValue("pex", s.pex);
    q.setValue("lsd", s.lsd);
    q.setValue("utp", s.utp);
    q.setValue("tcp", s.tcp);
    q.setValue("encryption", s.encryption);
    q.setValue("default_save_dir", s.default_save_dir);
    q.setValue("on_completion", int(s.on_completion));
    q.setValue("seed_ratio_limit", s.seed_ratio_limit);
    q.setValue("seed_time_limit_minutes", s.seed_time_limit_minutes);
    q.setValue("port_mapping", s.port_mapping);
    q.setValue("interface", s.network_interface);
}

QString connection_host(const QString& url) {
    const QUrl u = QUrl::fromUserInput(url);
    return u.port() > 0 ? QStringLiteral("%1:%2").arg(u.host()).arg(u.port()) : u.host();
}

namespace {

std::optional<DaemonConnection> read_connection(QSettings& q, const QString& group) {
    q.beginGroup(group);
    DaemonConnection c{q.value("url").toString(), q.value("user").toString()};
    q.endGroup();
    if (c.url.isEmpty())
        return std::nullopt;
    return c;
}

// Host names hold no '/', but ':' and '[' ']' (IPv6) are not for QSettings keys.
QString host_key(const QString& host_and_port) {
    return QString::fromLatin1(host_and_port.toUtf8().toHex());
}

}  // namespace

std::optional<DaemonConnection> last_connection() {
    QSettings q;
    return read_connection(q, QStringLiteral("connections/last"));
}

std::optional<DaemonConnection> connection_for_host(const QString& host_and_port) {
    QSettings q;
    return read_connection(q, QStringLiteral("connections/by_host/") + host_key(host_and_port));
}

void remember_connection(const DaemonConnection& c) {
    QSettings q;
    for (const QString& group : {QStringLiteral("connections/last"),
                                 QStringLiteral("connections/by_host/") +
                                     host_key(connection_host(c.url))}) {
        q.beginGroup(group);
        q.setValue("url", c.url);
        q.setValue("user", c.user);
        q.endGroup();
    }
}

}  // namespace shoal::gui
